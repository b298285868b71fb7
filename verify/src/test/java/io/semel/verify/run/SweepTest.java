package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.checker.Verdict;
import io.semel.verify.history.Guarantee;
import io.semel.verify.report.RunSummary;
import io.semel.verify.report.SweepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default suite's short seed sweep: exactly-once on SQLite, two consecutive seeds × 15 s (about a minute and a
 * half). Every run must be valid, with faults injected and no producer stop. The long sweep is a documented
 * command (docs/verify.md, "Seed sweeps").
 */
class SweepTest {
    private static final long FIRST_SEED = 11;
    private static final int SEEDS = 2;

    @Test
    void aShortExactlyOnceSweepIsValidForEverySeed(@TempDir Path dir) throws Exception {
        VerifyConfig base = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, FIRST_SEED, Duration.ofSeconds(15), dir);
        List<Long> rowsAsTheyCame = new ArrayList<>();
        List<RunResult> runs = Sweep.run(base, SEEDS, null, line -> { }, r -> rowsAsTheyCame.add(r.summary().seed()));
        List<RunSummary> summaries = Sweep.summaries(runs);
        System.out.println(SweepReport.table(summaries) + SweepReport.summary(summaries));

        assertThat(rowsAsTheyCame).containsExactly(FIRST_SEED, FIRST_SEED + 1);
        assertThat(runs).extracting(r -> r.summary().seed()).containsExactly(FIRST_SEED, FIRST_SEED + 1);
        for (RunSummary s : summaries) {
            assertThat(s.verdict()).as("seed %d: %s", s.seed(), s.reasons()).isEqualTo(Verdict.VALID);
            assertThat(s.faults()).isNotEmpty();
            assertThat(s.health().producerStops()).isZero();
        }
        assertThat(SweepReport.allValid(summaries)).isTrue();
        assertThat(Files.isDirectory(dir.resolve("seed-" + FIRST_SEED))).isTrue();
        Path table = Sweep.writeReports(dir.resolve("report"), runs);
        assertThat(Files.readString(table)).contains("every seed valid");
        assertThat(dir.resolve("report/seed-" + (FIRST_SEED + 1) + "/exactly-once.json")).exists();
    }
}
