package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.verify.checker.Verdict;
import io.semel.verify.history.Guarantee;
import io.semel.verify.report.TerminalReport;
import io.semel.verify.testing.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semel verify --store postgres --jdbc-url jdbc:postgresql://host:port/db?user=u&password=p} against a
 * real, separately installed PostgreSQL (the OS's binaries, initdb'd and started by {@link LocalPostgres}):
 * the run starts its processor child with only the URL, and is valid. Skipped only when no PostgreSQL binaries
 * are installed ({@code .ci/run} installs Debian's {@code postgresql} package when they are missing).
 */
class ExternalPostgresRunTest {
    private static LocalPostgres server;

    @BeforeAll
    static void startServer() throws Exception {
        Optional<Path> bin = LocalPostgres.binaries();
        Assumptions.assumeTrue(bin.isPresent(), "no PostgreSQL binaries under " + LocalPostgres.DEBIAN_ROOT
                + "/<version>/bin and SEMEL_PG_BIN unset: install Debian's postgresql package (.ci/run does)");
        server = LocalPostgres.start(bin.get());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anExactlyOnceRunOnAnExternalPostgresGivenOnlyByItsUrlIsValid(@TempDir Path dir) throws Exception {
        VerifyConfig cfg = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, 3, Duration.ofSeconds(15), dir)
                .withStore(VerifyConfig.StoreKind.POSTGRES, server.jdbcUrl());
        RunResult r;
        try (PostgresServer pg = PostgresServer.external(server.jdbcUrl())) {
            r = new VerifyRun(cfg, pg).run(line -> { });
        }
        System.out.println(TerminalReport.table(r.summary()));
        assertThat(r.summary().verdict()).as("%s", r.summary().reasons()).isEqualTo(Verdict.VALID);
        assertThat(r.check().counts().applied()).isPositive();
    }

    @Test
    void aServerWithoutFsyncIsRefusedWithTheSettingNamed() throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET fsync = off");
            s.execute("SELECT pg_reload_conf()");
            Thread.sleep(500);
            assertThatThrownBy(() -> PostgresServer.external(server.jdbcUrl()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fsync=off")
                    .hasMessageNotContaining(LocalPostgres.PASSWORD);
        } finally {
            try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement()) {
                s.execute("ALTER SYSTEM RESET fsync");
                s.execute("SELECT pg_reload_conf()");
            }
            Thread.sleep(500);
        }
    }
}
