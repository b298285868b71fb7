package io.semel.cli;

import io.semel.broker.security.CredentialFile;
import io.semel.client.ClientSecurity;
import io.semel.protocol.scram.Scram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code semel user add|remove|list}: the SCRAM-SHA-256 users of a broker, edited offline in its
 * data directory ({@code <data-dir>/security/users}). A running broker picks changes up within
 * {@code security.reloadIntervalMs}. The password is salted and hashed here; it is never written.
 */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage a broker's users (SCRAM-SHA-256).",
        subcommands = {UserCommand.Add.class, UserCommand.Remove.class, UserCommand.ListUsers.class})
final class UserCommand {
    @ParentCommand
    Semel parent;

    /** The data directory must exist: a typo must not create an empty broker somewhere. */
    static Path existingDataDir(CommandSpec spec, Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            throw new ParameterException(spec.commandLine(), "--data-dir " + dataDir + (Files.exists(dataDir)
                    ? " is not a directory" : " does not exist; give the broker's data directory"));
        }
        return dataDir;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user or change its password. The password comes from --password-file, else the "
                    + "environment variable " + ClientSecurity.PASSWORD_ENV + ", else the first line of standard input.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, description = "The broker's data directory.")
        Path dataDir;

        @Option(names = "--user", required = true, description = "User name: 1..128 of A-Z a-z 0-9 . _ @ -")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE", description = "File whose first line is the password.")
        Path passwordFile;

        @Option(names = "--iterations", description = "PBKDF2 iterations (default ${DEFAULT-VALUE}; at least 4096).")
        int iterations = Scram.ITERATIONS_DEFAULT;

        @ParentCommand
        UserCommand parent;

        @Spec
        CommandSpec spec;

        /** The environment, for SEMEL_PASSWORD; replaceable in tests. */
        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws Exception {
            existingDataDir(spec, dataDir);
            if (iterations < Scram.ITERATIONS_MIN || iterations > Scram.ITERATIONS_MAX) {
                throw new ParameterException(spec.commandLine(), "--iterations " + iterations + " is outside "
                        + Scram.ITERATIONS_MIN + ".." + Scram.ITERATIONS_MAX);
            }
            char[] password = password();
            boolean existed = CredentialFile.put(dataDir, user, password, iterations, new SecureRandom());
            spec.commandLine().getOut().println((existed ? "changed the password of user " : "added user ") + user
                    + " (SCRAM-SHA-256, " + iterations + " iterations) in " + CredentialFile.path(dataDir));
            return 0;
        }

        private char[] password() throws Exception {
            if (passwordFile != null) {
                return ClientSecurity.readFirstLine(passwordFile);
            }
            String fromEnv = env.get(ClientSecurity.PASSWORD_ENV);
            if (fromEnv != null && !fromEnv.isEmpty()) {
                return fromEnv.toCharArray();
            }
            String line = new BufferedReader(new InputStreamReader(parent.parent.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "no password: give --password-file FILE, set "
                        + ClientSecurity.PASSWORD_ENV + ", or type it on standard input");
            }
            return line.toCharArray();
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user.")
    static final class Remove implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, description = "The broker's data directory.")
        Path dataDir;

        @Option(names = "--user", required = true, description = "User name.")
        String user;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            existingDataDir(spec, dataDir);
            if (!CredentialFile.remove(dataDir, user)) {
                throw new IllegalStateException("user " + user + " does not exist in " + CredentialFile.path(dataDir));
            }
            spec.commandLine().getOut().println("removed user " + user);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users (names and iterations only).")
    static final class ListUsers implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, description = "The broker's data directory.")
        Path dataDir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            existingDataDir(spec, dataDir);
            CredentialFile.read(dataDir).forEach((name, c) -> spec.commandLine().getOut()
                    .println(name + " scram-sha-256 iterations=" + c.iterations()));
            return 0;
        }
    }
}
