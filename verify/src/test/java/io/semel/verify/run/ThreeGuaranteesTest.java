package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import io.semel.verify.report.HistoryCheck;
import io.semel.verify.report.RunSummary;
import io.semel.verify.report.TerminalReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's own test (DESIGN §6): the same seed and fault schedule under each guarantee, 15 s of workload
 * each (about a minute in all). Only robust properties are asserted: exactly-once valid and non-trivial, at least
 * one duplicate under at-least-once, at least one loss under at-most-once — each weaker guarantee's cost is
 * caused by an ensured crash-point fault, not by luck.
 */
class ThreeGuaranteesTest {
    private static final long SEED = 7;

    @Test
    void exactlyOnceIsValidWhileAtLeastOnceDuplicatesAndAtMostOnceLosesUnderTheSameFaults(@TempDir Path dir)
            throws Exception {
        VerifyConfig base = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, SEED, Duration.ofSeconds(15), dir);
        List<RunResult> runs = Demo.runAll(base, dir, null, line -> { });
        System.out.println(TerminalReport.sideBySide(runs.stream().map(RunResult::summary).toList()));
        System.out.println(Demo.reading(runs));

        CheckResult eo = runs.get(0).check();
        assertThat(eo.guarantee()).isEqualTo(Guarantee.EXACTLY_ONCE);
        assertThat(eo.verdict()).as("%s", eo.reasons()).isEqualTo(Verdict.VALID);
        assertThat(eo.counts().unknown()).isPositive();
        assertThat(runs.get(0).summary().faults()).isNotEmpty();
        assertThat(HistoryReader.readAll(runs.get(0).history()).events()).anyMatch(e -> e.type() == OpType.OK
                && e.value() instanceof EventValue.Nemesis n && n.phase() == NemesisPhase.START
                && n.fault().equals(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK));

        CheckResult alo = runs.get(1).check();
        assertThat(alo.guarantee()).isEqualTo(Guarantee.AT_LEAST_ONCE);
        assertThat(alo.counts().duplicated()).isPositive();
        assertThat(alo.counts().lost()).isZero();
        assertThat(alo.verdict()).as("%s", alo.reasons()).isEqualTo(Verdict.VALID);

        CheckResult amo = runs.get(2).check();
        assertThat(amo.guarantee()).isEqualTo(Guarantee.AT_MOST_ONCE);
        assertThat(amo.counts().lost()).isPositive();
        assertThat(amo.counts().duplicated()).isZero();
        assertThat(amo.verdict()).as("%s", amo.reasons()).isEqualTo(Verdict.VALID);

        // Same schedule for all three: the comparison is fair.
        assertThat(runs.get(1).summary().schedule()).isEqualTo(runs.get(0).summary().schedule());
        assertThat(runs.get(2).summary().schedule()).isEqualTo(runs.get(0).summary().schedule());
        assertThat(runs).allMatch(r -> r.rejectedLines() == 0);
        // semel check: re-checking each recorded history offline reaches the run's own result and table.
        for (RunResult r : runs) {
            RunSummary offline = HistoryCheck.recheck(HistoryReader.readAll(r.history()));
            assertThat(offline.result().toJson()).isEqualTo(r.check().toJson());
            assertThat(TerminalReport.table(offline)).isEqualTo(TerminalReport.table(r.summary()));
        }
        assertThat(Demo.problems(runs)).isEmpty();
    }
}
