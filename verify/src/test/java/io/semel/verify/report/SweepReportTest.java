package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.RunSchedule;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.testing.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sweep table and summary over planted runs: one row per seed, and one bad seed makes the sweep fail. */
class SweepReportTest {
    private static final Checker CHECKER = new Checker(new CheckerOptions(2));
    private static final FaultSchedule SCHEDULE = RunSchedule.plan(11, Duration.ofSeconds(60), Set.of(FaultKind.KILL),
            3_500);

    private static RunSummary run(long seed, RunHealth health) {
        return new RunSummary(Guarantee.EXACTLY_ONCE, seed, Duration.ofSeconds(8), SCHEDULE,
                CHECKER.check(Fixtures.cleanExactlyOnce().build()), List.of(1L), List.of(), health);
    }

    @Test
    void oneRowPerSeedAndTheSummaryNamesTheSeedsThatWereNotValid() {
        List<RunSummary> runs = List.of(run(40, RunHealth.NOT_MEASURED), run(41, new RunHealth(1, List.of("p2"), 1, 0, 0)),
                run(42, new RunHealth(0, List.of(), 2, 1, 0)));
        List<String> lines = SweepReport.table(runs).lines().toList();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("seed\\s+confirmed\\s+unknown\\s+lost\\s+duplicated\\s+faults\\s+producer stops"
                + "\\s+torn lines\\s+verdict");
        assertThat(lines.get(1)).matches("\\s*40\\s+2\\s+2\\s+0\\s+0\\s+0\\s+0\\s+0\\s+valid");
        assertThat(lines.get(2)).matches("\\s*41\\s+2\\s+2\\s+0\\s+0\\s+0\\s+1\\s+1\\s+invalid");
        assertThat(lines.get(3)).matches("\\s*42\\s+2\\s+2\\s+0\\s+0\\s+0\\s+0\\s+2 \\(1 unexplained\\)\\s+unknown");
        assertThat(SweepReport.summary(runs)).startsWith("3 seeds: 1 valid, 1 invalid, 1 unknown")
                .contains("not valid: seeds [41, 42]");
        assertThat(SweepReport.allValid(runs)).isFalse();
        assertThat(SweepReport.allValid(runs.subList(0, 1))).isTrue();
        assertThat(SweepReport.allValid(List.of())).isFalse();
    }
}
