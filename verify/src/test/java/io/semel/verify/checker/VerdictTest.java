package io.semel.verify.checker;

import static io.semel.verify.testing.HistoryBuilder.d;
import static io.semel.verify.testing.HistoryBuilder.r;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.testing.Fixtures;
import io.semel.verify.testing.HistoryBuilder;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private final Checker checker = new Checker(new CheckerOptions(2));

    /** The fixture run without the kill of c1: same sends, same final state, but no crash at all. */
    private static HistoryBuilder runWithoutKill(Guarantee g, String fault) {
        return HistoryBuilder.of(g)
                .schedule(fault, "broker")
                .sendOk("m1", "a", 10, 0, 0)
                .sendOk("m2", "b", 20, 0, 1)
                .sendInfo("m3", "a", 5)
                .nemesis(fault, "broker")
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1), d("m3", 0, 2, 1))
                .apply("c1", "m1", "m2", "m3")
                .ack("c1", "m1", "m2", "m3")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"), r(0, 2, "m3"))
                .account("a", 15, "m1", "m3")
                .account("b", 20, "m2");
    }

    @Test
    void cleanExactlyOnceRunWithFaultsIsValid() {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.counts()).isEqualTo(new Counts(5, 2, 1, 2, 1, 6, 3, 3, 3, 0, 0, 0));
        assertThat(r.redeliveryHistogram()).containsEntry(1, 3L).containsEntry(2, 3L);
    }

    @Test
    void exactlyOnceWithoutConsumerCrashIsTrivial() {
        CheckResult r = checker.check(runWithoutKill(Guarantee.EXACTLY_ONCE, "drop-reply").build());
        assertThat(r.found()).isEmpty();
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
        assertThat(r.reasons()).singleElement().asString().contains("between commit and ack");
    }

    @Test
    void crashPointBetweenCommitAndAckCountsAsTheCrash() {
        CheckResult r = checker.check(
                runWithoutKill(Guarantee.EXACTLY_ONCE, EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK).build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void killOfAConsumerAfterItAckedEverythingIsNotACommitAckCrash() {
        HistoryBuilder b = runWithoutKill(Guarantee.EXACTLY_ONCE, "drop-reply")
                .nemesis(EventValue.Nemesis.KILL, "c1");
        CheckResult r = checker.check(b.build());
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
    }

    @Test
    void killOfAnotherConsumerThanTheOneHoldingCommittedIdsIsNotACommitAckCrash() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendOk("m2", "a", 1, 0, 1).sendInfo("m3", "a", 5)
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1))
                .apply("c1", "m1", "m2")
                .nemesis(EventValue.Nemesis.KILL, "c9")
                .ack("c1", "m1", "m2")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"))
                .account("a", 11, "m1", "m2");
        assertThat(checker.check(b.build()).verdict()).isEqualTo(Verdict.TRIVIAL);
    }

    @Test
    void scheduledFaultThatNeverHappenedIsTrivial() {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().schedule("pause", "broker").build());
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
        assertThat(r.reasons()).singleElement().asString().contains("pause [broker]: 1 of 1 planned never took effect");
    }

    @Test
    void aFaultThatTookEffectOnlyPartOfItsPlannedTimesSaysHowManyAreMissing() {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().schedule("pause", "broker")
                .schedule("pause", "broker").schedule("pause", "broker").nemesis("pause", "broker").build());
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
        assertThat(r.reasons()).singleElement().asString().contains("pause [broker]: 2 of 3 planned never took effect");
    }

    @Test
    void runWithoutUnknownSendsIsTrivial() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.AT_LEAST_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendOk("m2", "a", 1, 0, 1)
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1))
                .apply("c1", "m1", "m2").ack("c1", "m1", "m2")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"))
                .account("a", 11, "m1", "m2");
        CheckResult r = checker.check(b.build());
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
        assertThat(r.reasons()).singleElement().asString().contains("|I| = 0");
    }

    @Test
    void runWhoseStoreWasOnlyReadAtTheEndIsTrivial() {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().withoutMidRunRead().build());
        assertThat(r.found()).isEmpty();
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
        assertThat(r.reasons()).singleElement().asString().contains("no read-state was taken while the workload ran");
    }

    @Test
    void tooFewConfirmedSendsIsTrivial() {
        CheckResult r = new Checker(new CheckerOptions(3)).check(Fixtures.cleanExactlyOnce().build());
        assertThat(r.verdict()).isEqualTo(Verdict.TRIVIAL);
        assertThat(r.reasons()).singleElement().asString().contains("only 2 sends confirmed, below the threshold 3");
    }

    @Test
    void noDrainIsUnknown() {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().withoutDrain().build());
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.anomaly(AnomalyKind.LOST_LOG)).isEmpty();
        assertThat(r.anomaly(AnomalyKind.LOST)).isPresent();
    }

    @Test
    void noReadStateIsUnknown() {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().withoutReadState().build());
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.anomaly(AnomalyKind.LOST)).isEmpty();
    }

    @Test
    void fatalAnomalyVisibleWithoutFinalReadsIsInvalidNotUnknown() {
        HistoryBuilder b = Fixtures.cleanExactlyOnce().withoutDrain().withoutReadState()
                .deliver("c2", 2, d("m5", 0, 3, 1));
        CheckResult r = checker.check(b.build());
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.fatalFound()).containsExactly(AnomalyKind.FAILED_VISIBLE);
    }

    @Test
    void atLeastOnceWithDuplicatesIsValidForItsContractButReportsThem() {
        HistoryBuilder b = Fixtures.cleanRun(Guarantee.AT_LEAST_ONCE)
                .apply("c2", "m1")
                .addLogRecord(0, 3, "m2")
                .account("a", 25, "m1", "m3", "m1");
        CheckResult r = checker.check(b.build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.found()).contains(AnomalyKind.DUP_APPLIED, AnomalyKind.DUP_LOG);
        assertThat(r.fatalFound()).isEmpty();
        assertThat(r.counts().duplicated()).isEqualTo(2);
        assertThat(r.reasons()).anySatisfy(s -> assertThat(s).startsWith("dup-applied: 1 (reported, not fatal"));
    }

    @Test
    void atLeastOnceWithALossIsInvalid() {
        CheckResult r = checker.check(Fixtures.lossAfterAck(Guarantee.AT_LEAST_ONCE).build());
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        // m2 is confirmed (lost) and was delivered (lost-delivered); both fatal for at-least-once.
        assertThat(r.fatalFound()).containsExactlyInAnyOrder(AnomalyKind.LOST, AnomalyKind.LOST_DELIVERED);
    }

    @Test
    void atMostOnceWithLossesIsValidForItsContractButReportsThem() {
        CheckResult r = checker.check(Fixtures.lossAfterAck(Guarantee.AT_MOST_ONCE).build());
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(r.found()).containsExactlyInAnyOrder(AnomalyKind.LOST, AnomalyKind.LOST_DELIVERED,
                AnomalyKind.STATE_VS_EXPECTED);
        assertThat(r.counts().lost()).isEqualTo(1);
    }

    @Test
    void atMostOnceWithADuplicateIsInvalid() {
        CheckResult r = checker.check(Fixtures.cleanRun(Guarantee.AT_MOST_ONCE).apply("c2", "m1").build());
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.fatalFound()).containsExactly(AnomalyKind.DUP_APPLIED);
    }

    @Test
    void jsonRenderingCarriesVerdictCountsAndExamples() throws Exception {
        CheckResult r = checker.check(Fixtures.cleanExactlyOnce().account("b", 0).build());
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.toJson());
        assertThat(json.get("verdict").asText()).isEqualTo("invalid");
        assertThat(json.get("guarantee").asText()).isEqualTo("exactly-once");
        assertThat(json.at("/counts/lost").asLong()).isEqualTo(1);
        assertThat(json.at("/anomalies/lost/fatal").asBoolean()).isTrue();
        assertThat(json.at("/anomalies/lost/subjects/0").asText()).isEqualTo("m2");
        assertThat(json.at("/anomalies/lost/examples/0/events/0/f").asText()).isEqualTo("send");
        assertThat(json.at("/redeliveryHistogram/2").asLong()).isEqualTo(3);
        assertThat(json.at("/recovered/0").asText()).isEqualTo("m3");
    }
}
