package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL a run uses without --jdbc-url keeps commits across a crash (zonky's default does not). */
class PostgresServerTest {
    @Test
    void theEmbeddedServerRunsWithFsyncAndSynchronousCommitOn() throws Exception {
        try (PostgresServer pg = PostgresServer.embedded()) {
            String url = pg.createDatabase("durable");
            try (Connection c = DriverManager.getConnection(url, pg.user(), ""); Statement s = c.createStatement()) {
                for (String setting : PostgresServer.DURABILITY_SETTINGS) {
                    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                    }
                }
            }
        }
    }
}
