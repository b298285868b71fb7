package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.cli.BenchLatencyTest.Run;
import io.semel.verify.run.VerifyConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyOptionsTest {
    @Test
    void failoverTakesANameOrTwoTimeouts() {
        assertThat(VerifyOptions.failover("fast")).isEqualTo(VerifyConfig.Failover.FAST);
        assertThat(VerifyOptions.failover(" Tolerant ")).isEqualTo(VerifyConfig.Failover.TOLERANT);
        assertThat(VerifyOptions.failover("4000, 6000")).isEqualTo(new VerifyConfig.Failover(4_000, 6_000));
        assertThat(VerifyConfig.Failover.TOLERANT.sessionTimeoutMs()).isGreaterThan(
                VerifyConfig.Failover.FAST.sessionTimeoutMs());
    }

    @Test
    void aBadFailoverNamesTheAcceptedForms() {
        assertThatThrownBy(() -> VerifyOptions.failover("slow")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fast, tolerant or SESSION_MS,ACK_MS").hasMessageContaining("'slow'");
        assertThatThrownBy(() -> VerifyOptions.failover("10000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VerifyOptions.failover("500,15000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1000..300000");
    }

    /** The command turns a bad --failover into a usage error before anything starts. */
    @Test
    void verifyRefusesABadFailoverAsAUsageError(@TempDir Path dir) {
        Run r = BenchLatencyTest.semel("verify", "--failover", "500,15000", "--work-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(r.err()).contains("1000..300000").doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("faults planned");
    }

    /** An earlier run's data in --work-dir would be mixed into this run: refused before anything starts. */
    @Test
    void verifyRefusesAWorkDirHoldingAnEarlierRun(@TempDir Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("broker-data"));
        Run r = BenchLatencyTest.semel("verify", "--work-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(r.err()).contains("is not empty").doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("faults planned");
    }

    @Test
    void verifyRefusesAWorkDirThatIsAFile(@TempDir Path dir) throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("not-a-dir"), "x");
        Run r = BenchLatencyTest.semel("verify", "--work-dir", file.toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(r.err()).contains("is a file").doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("faults planned");
    }

    @Test
    void verifyTakesAnEmptyOrNewWorkDir(@TempDir Path dir) throws Exception {
        org.assertj.core.api.Assertions.assertThatCode(() -> VerifyOptions.freshWorkDir(dir)).doesNotThrowAnyException();
        org.assertj.core.api.Assertions.assertThatCode(() -> VerifyOptions.freshWorkDir(dir.resolve("new")))
                .doesNotThrowAnyException();
    }
}
