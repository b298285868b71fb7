package io.semel.verify.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A separately installed PostgreSQL server (the operating system's binaries, e.g. Debian's
 * {@code /usr/lib/postgresql/15/bin}), created with {@code initdb} in a temporary directory and started with
 * {@code pg_ctl} on a free loopback port with PostgreSQL's defaults ({@code fsync} and {@code synchronous_commit}
 * on), password
 * authentication over TCP. It is "external" to Semel the way a user's server is: reached only by its JDBC URL.
 * PostgreSQL refuses to run as root, so as root it runs as the {@link #OS_USER} account through {@code runuser}.
 * Not thread-safe; one per test class.
 */
public final class LocalPostgres implements AutoCloseable {
    /** Where to look for {@code initdb} and {@code pg_ctl} unless {@code SEMEL_PG_BIN} names the directory. */
    public static final String DEBIAN_ROOT = "/usr/lib/postgresql";
    /** The unprivileged account the Debian package creates, used when the tests run as root. */
    public static final String OS_USER = "postgres";
    public static final String USER = "semel";
    public static final String PASSWORD = "verify-secret";
    private static final long COMMAND_WAIT_S = 120;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asRoot;

    private LocalPostgres(Path bin, Path dir, int port, boolean asRoot) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asRoot = asRoot;
    }

    /** The directory with initdb and pg_ctl, if PostgreSQL is installed. */
    public static Optional<Path> binaries() {
        String env = System.getenv("SEMEL_PG_BIN");
        if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
            return Optional.of(Path.of(env));
        }
        try (Stream<Path> versions = Files.list(Path.of(DEBIAN_ROOT))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** initdb + pg_ctl start in a new temporary directory; {@link #close} stops it and deletes the directory. */
    public static LocalPostgres start(Path bin) throws IOException, InterruptedException {
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("semel-local-pg-");
        Files.writeString(dir.resolve("pw"), PASSWORD + "\n", StandardCharsets.UTF_8);
        LocalPostgres pg = new LocalPostgres(bin, dir, freePort(), asRoot);
        if (asRoot) {
            pg.run(List.of("chown", "-R", OS_USER, dir.toString()), false);
        }
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                "--pwfile=" + dir.resolve("pw"), "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"), true);
        pg.run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                // fsync and synchronous_commit keep PostgreSQL's defaults (on), so a test can still ALTER SYSTEM them.
                "-p " + pg.port + " -c listen_addresses=127.0.0.1 -k " + dir,
                "start"), true);
        return pg;
    }

    /** The documented form for {@code semel verify --jdbc-url}: credentials as URL parameters. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER + "&password=" + PASSWORD;
    }

    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asRoot && asServerUser) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND_WAIT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", full) + " failed: " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                    "stop"), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL in " + dir, e);
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
