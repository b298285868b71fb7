package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL a verify run uses keeps committed transactions across a power cut: fsync,
 * synchronous_commit and full_page_writes are on (zonky's defaults turn all three off), and creating a run's
 * database checks them.
 */
class PostgresServerDurabilityTest {
    @Test
    void theEmbeddedServerRunsWithFsyncOn() throws Exception {
        try (PostgresServer pg = PostgresServer.embedded()) {
            assertThat(pg.durabilitySettings()).isEqualTo(
                    Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on"));
            assertThat(pg.createDatabase("durable")).contains("durable");
        }
    }
}
