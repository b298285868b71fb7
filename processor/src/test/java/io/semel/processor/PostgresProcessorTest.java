package io.semel.processor;

import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.EmbeddedPostgresServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The processor contract on PostgreSQL, deduplicating by sequence: one embedded server for the class, a
 * fresh database per test.
 */
class PostgresProcessorTest extends ProcessorContractTest {
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
    protected Dedup dedup() {
        return Dedup.SEQUENCE;
    }

    @Override
    protected JdbcStore openStore() throws Exception {
        return JdbcStore.postgres(pg.freshDatabaseUrl("processor"), "postgres", "", 8);
    }
}
