package io.semel.cli;

import io.semel.broker.security.AclEntry;
import io.semel.broker.security.AclFile;
import io.semel.broker.security.Operation;
import io.semel.broker.security.Resource;
import io.semel.broker.security.ResourceType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel acl add|remove|list}: who may do what on a secured broker, edited offline in its
 * data directory ({@code <data-dir>/security/acls}); a running broker picks changes up within
 * {@code security.reloadIntervalMs}. Only grants exist: what no entry allows is denied.
 */
@Command(name = "acl", mixinStandardHelpOptions = true, description = "Manage a broker's ACLs (grants per user).",
        subcommands = {AclCommand.Add.class, AclCommand.Remove.class, AclCommand.ListAcls.class})
final class AclCommand {

    /** One ACL entry on the command line. */
    static final class EntryOptions {
        @Option(names = "--data-dir", required = true, description = "The broker's data directory.")
        Path dataDir;

        @Option(names = "--user", required = true, description = "User name, or '*' for every authenticated user.")
        String user;

        @Option(names = "--op", required = true, paramLabel = "OP",
                description = "produce, consume, describe or admin (admin only with --cluster).")
        String op;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        AclEntry entry(CommandSpec spec) {
            UserCommand.existingDataDir(spec, dataDir);
            Operation operation;
            try {
                operation = Operation.valueOf(op.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--op '" + op
                        + "' is not one of produce, consume, describe, admin");
            }
            try {
                if (target.cluster) {
                    return new AclEntry(user, operation, ResourceType.CLUSTER, Resource.CLUSTER_NAME);
                }
                return new AclEntry(user, operation, target.topic != null ? ResourceType.TOPIC : ResourceType.GROUP,
                        target.topic != null ? target.topic : target.group);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    /** Exactly one of --topic, --group, --cluster. */
    static final class Target {
        @Option(names = "--topic", paramLabel = "PATTERN", description = "Topic name, 'prefix*' or '*'.")
        String topic;

        @Option(names = "--group", paramLabel = "PATTERN", description = "Consumer group name, 'prefix*' or '*'.")
        String group;

        @Option(names = "--cluster", description = "The broker itself (create topics, admin APIs, list topics).")
        boolean cluster;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Grant an operation.")
    static final class Add implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        EntryOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AclEntry e = options.entry(spec);
            boolean added = AclFile.add(options.dataDir, e);
            spec.commandLine().getOut().println((added ? "added: " : "already present: ") + e);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Revoke a grant (give it as it was added).")
    static final class Remove implements Callable<Integer> {
        @ArgGroup(exclusive = false, multiplicity = "1")
        EntryOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AclEntry e = options.entry(spec);
            if (!AclFile.remove(options.dataDir, e)) {
                throw new IllegalStateException("no such ACL: " + e + "; 'semel acl list' shows the entries");
            }
            spec.commandLine().getOut().println("removed: " + e);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every grant.")
    static final class ListAcls implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, description = "The broker's data directory.")
        Path dataDir;

        @Option(names = "--user", description = "Only this user's entries (and those for '*').")
        String user;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            UserCommand.existingDataDir(spec, dataDir);
            for (AclEntry e : AclFile.read(dataDir)) {
                if (user == null || e.principal().equals(user) || e.principal().equals(AclEntry.ANY)) {
                    spec.commandLine().getOut().println(e);
                }
            }
            return 0;
        }
    }
}
