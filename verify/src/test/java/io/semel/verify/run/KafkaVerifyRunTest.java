package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.report.TerminalReport;
import io.semel.verify.schedule.FaultKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semel verify --engine kafka}, short: a three-node KRaft cluster of child JVMs (RF 3, min.insync.replicas
 * 2), Kafka idempotent producers and the exactly-once processor on KafkaSource and SQLite, under node kills and
 * pauses (the active controller among them) and the processor crash points. Exactly-once must be valid and
 * non-trivial.
 *
 * <p>Not in the default suite: three Kafka JVMs, three producers and a processor take about two minutes on a loaded
 * 2-core machine (the cluster alone starts in 20-40 s). Run with
 * {@code mvn -B -pl verify -am verify -Dtest=KafkaVerifyRunTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsemel.test.kafkaVerify=true}.
 */
@EnabledIfSystemProperty(named = "semel.test.kafkaVerify", matches = "true")
class KafkaVerifyRunTest {
    private static final long SEED = 5;

    @Test
    void exactlyOnceOnAThreeNodeKafkaClusterIsValidUnderNodeKillsPausesAndProcessorCrashes(@TempDir Path dir)
            throws Exception {
        Set<FaultKind> faults = EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK,
                FaultKind.CRASH_AFTER_CLAIM, FaultKind.CRASH_AFTER_HANDLER_BEFORE_COMMIT);
        VerifyConfig cfg = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, SEED, Duration.ofSeconds(30), dir)
                .withEngine(VerifyConfig.Engine.KAFKA).withFaults(faults);
        RunResult r = new VerifyRun(cfg, null).run(line -> { });
        System.out.println(TerminalReport.table(r.summary()));
        CheckResult eo = r.check();
        assertThat(eo.verdict()).as("%s", eo.reasons()).isEqualTo(Verdict.VALID);
        assertThat(HistoryReader.readAll(r.history()).header().engine()).isEqualTo("kafka");
        assertThat(r.rejectedLines()).isZero();
    }

    @Test
    void onKafkaAtLeastOnceDuplicatesAndAtMostOnceLosesUnderTheScheduleExactlyOnceSurvives(@TempDir Path dir)
            throws Exception {
        VerifyConfig base = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, SEED, Duration.ofSeconds(30), dir)
                .withEngine(VerifyConfig.Engine.KAFKA)
                .withFaults(EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.DROP_AFTER_REQUEST, FaultKind.STALL,
                        FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK));
        List<RunResult> runs = Demo.runAll(base, dir, null, line -> { });
        System.out.println(TerminalReport.sideBySide(runs.stream().map(RunResult::summary).toList()));
        CheckResult eo = runs.get(0).check();
        assertThat(eo.verdict()).as("%s", eo.reasons()).isEqualTo(Verdict.VALID);
        CheckResult alo = runs.get(1).check();
        assertThat(alo.counts().duplicated()).as("%s", alo.reasons()).isPositive();
        assertThat(alo.counts().lost()).isZero();
        CheckResult amo = runs.get(2).check();
        assertThat(amo.counts().lost()).as("%s", amo.reasons()).isPositive();
        assertThat(amo.counts().duplicated()).isZero();
        assertThat(runs.get(1).summary().schedule()).isEqualTo(runs.get(0).summary().schedule());
        assertThat(runs.get(2).summary().schedule()).isEqualTo(runs.get(0).summary().schedule());
        // The relay publishes each applied effect once whatever the consumer above it does.
        assertThat(runs).allMatch(r -> r.summary().health().outputProblems().isEmpty());
    }
}
