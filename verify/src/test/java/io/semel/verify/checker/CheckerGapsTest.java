package io.semel.verify.checker;

import static io.semel.verify.testing.HistoryBuilder.acc;
import static io.semel.verify.testing.HistoryBuilder.d;
import static io.semel.verify.testing.HistoryBuilder.r;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.Guarantee;
import io.semel.verify.testing.Fixtures;
import io.semel.verify.testing.HistoryBuilder;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One planted history per rule added for issue 8 item 5, each with the anomaly in it and, where a rule must
 * not fire on legal behaviour (redeliveries, a lost poll reply, another producer), the legal twin. Where a
 * planted fault necessarily shows as several kinds, the test names them all and says why.
 */
class CheckerGapsTest {
    private final Checker checker = new Checker(new CheckerOptions(1));

    private CheckResult check(HistoryBuilder b) {
        return checker.check(b.build());
    }

    private static Set<AnomalyKind> kinds(AnomalyKind first, AnomalyKind... rest) {
        return EnumSet.of(first, rest);
    }

    private static HistoryBuilder threeSends(Guarantee g) {
        return HistoryBuilder.of(g)
                .sendOk("m1", "a", 10, 0, 0)
                .sendOk("m2", "a", 20, 0, 1)
                .sendOk("m3", "a", 5, 0, 2);
    }

    // ---- apply ok of an id nobody sent; a committed apply that vanished ---------------------------------

    @Test
    void applyOkOfAnIdNobodySentIsUnexpected() {
        // Seen nowhere else: no delivery, not in the log or the store. It also vanished from the store.
        CheckResult r = check(Fixtures.cleanExactlyOnce().apply("c2", "ghost"));
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.UNEXPECTED, AnomalyKind.APPLY_VANISHED));
        assertThat(r.anomaly(AnomalyKind.UNEXPECTED).orElseThrow().subjects()).containsExactly("ghost");
        assertThat(r.anomaly(AnomalyKind.UNEXPECTED).orElseThrow().examples().get(0).detail())
                .contains("in 1 apply ok event(s)");
    }

    @Test
    void committedApplyMissingFromTheFinalStoreVanishedAndIsFatalEvenForAtMostOnce() {
        // At-most-once accepts losing m2 (lost, lost-delivered, state-vs-expected are only reported), but not
        // losing a transaction that committed: c1's apply ok of m2 is not in the store.
        CheckResult r = check(Fixtures.cleanRun(Guarantee.AT_MOST_ONCE).account("b", 0));
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.APPLY_VANISHED, AnomalyKind.LOST,
                AnomalyKind.LOST_DELIVERED, AnomalyKind.STATE_VS_EXPECTED));
        assertThat(r.fatalFound()).containsExactly(AnomalyKind.APPLY_VANISHED);
        assertThat(r.anomaly(AnomalyKind.APPLY_VANISHED).orElseThrow().subjects()).containsExactly("m2");
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void committedApplyMissingFromAMidRunReadVanished() {
        // The read began after c2's apply ok of m3 and does not hold it; the final read does.
        CheckResult r = check(Fixtures.cleanExactlyOnce()
                .readDuring(Map.of("a", acc(10, "m1"), "b", acc(20, "m2")), Map.of(0, 2L)));
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.APPLY_VANISHED));
        assertThat(r.anomaly(AnomalyKind.APPLY_VANISHED).orElseThrow().examples().get(0).detail())
                .contains("mid-run read-state");
    }

    @Test
    void midRunReadsThatHoldEveryCommittedApplyAreClean() {
        CheckResult r = check(Fixtures.cleanExactlyOnce()
                .readDuring(Map.of("a", acc(15, "m1", "m3"), "b", acc(20, "m2")), Map.of(0, 3L)));
        assertThat(r.found()).isEmpty();
    }

    // ---- rollback between reads -------------------------------------------------------------------------

    @Test
    void aLaterReadMissingAnIdAnEarlierReadHeldIsAStateRollback() {
        // Both reads come before any apply ok (the child's line can trail its commit), so only the reads disagree.
        HistoryBuilder b = threeSends(Guarantee.EXACTLY_ONCE)
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1), d("m3", 0, 2, 1))
                .readDuring(Map.of("a", acc(30, "m1", "m2")), Map.of(0, 2L))
                .readDuring(Map.of("a", acc(10, "m1")), Map.of())
                .apply("c1", "m1", "m2", "m3").ack("c1", "m1", "m2", "m3")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"), r(0, 2, "m3"))
                .account("a", 35, "m1", "m2", "m3").position(0, 3);
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.STATE_ROLLBACK));
        assertThat(r.anomaly(AnomalyKind.STATE_ROLLBACK).orElseThrow().subjects()).containsExactly("m2");
    }

    // ---- offsets: confirmed/delivered at one offset, logged at another; holes --------------------------------

    @Test
    void idConfirmedAtOneOffsetAndLoggedAtAnotherIsAnOffsetMismatch() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendOk("m2", "a", 20, 0, 5)
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1))
                .drain(r(0, 0, "m1"), r(0, 1, "m2")).withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.OFFSET_MISMATCH));
        assertThat(r.anomaly(AnomalyKind.OFFSET_MISMATCH).orElseThrow().examples().get(0).detail())
                .contains("send ok").contains("0/5").contains("[0/1]");
    }

    @Test
    void idDeliveredAtOneOffsetAndLoggedAtAnotherIsAnOffsetMismatch() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.AT_MOST_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendInfo("m2", "a", 20)
                .deliver("c1", 1, d("m1", 0, 0, 1)).deliver("c1", 2, d("m2", 1, 0, 1))
                .drain(r(0, 0, "m1"), r(0, 1, "m2")).withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.OFFSET_MISMATCH));
        assertThat(r.anomaly(AnomalyKind.OFFSET_MISMATCH).orElseThrow().subjects()).containsExactly("m2");
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void missingOffsetsInsideAPartitionAreALogHole() {
        // The two deliveries are under different leases, so no lease skipped anything.
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendOk("m4", "a", 5, 0, 4)
                .deliver("c1", 1, d("m1", 0, 0, 1)).deliver("c1", 2, d("m4", 0, 4, 1))
                .drain(r(0, 0, "m1"), r(0, 4, "m4")).withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.LOG_HOLE));
        assertThat(r.anomaly(AnomalyKind.LOG_HOLE).orElseThrow().subjects()).containsExactly("0/1-3");
    }

    @Test
    void aPartitionThatDoesNotStartAtZeroHasAHole() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE).sendOk("m1", "a", 10, 1, 1)
                .drain(r(1, 1, "m1")).withoutReadState();
        assertThat(check(b).anomaly(AnomalyKind.LOG_HOLE).orElseThrow().subjects()).containsExactly("1/0");
    }

    // ---- stored positions --------------------------------------------------------------------------------

    @Test
    void positionBelowAnAppliedRecordIsAPositionMismatch() {
        CheckResult r = check(Fixtures.cleanExactlyOnce().position(0, 2));
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.POSITION_MISMATCH));
        assertThat(r.anomaly(AnomalyKind.POSITION_MISMATCH).orElseThrow().subjects()).containsExactly("0/2");
        assertThat(r.anomaly(AnomalyKind.POSITION_MISMATCH).orElseThrow().examples().get(0).detail())
                .contains("m3 is applied").contains("position 2");
    }

    @Test
    void positionAboveAnUnappliedRecordIsAPositionMismatch() {
        // m6 (unknown send) is in the log at 0/3 but not applied; the position says 0/3 was processed. The
        // balance misses m6's amount as well (state-vs-expected).
        HistoryBuilder b = Fixtures.cleanExactlyOnce().sendInfo("m6", "a", 4).addLogRecord(0, 3, "m6").position(0, 4);
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.POSITION_MISMATCH, AnomalyKind.STATE_VS_EXPECTED));
        assertThat(r.anomaly(AnomalyKind.POSITION_MISMATCH).orElseThrow().subjects()).containsExactly("0/3");
    }

    @Test
    void anAppliedPartitionWithoutAPositionRowIsAPositionMismatchOnceTheStoreKeepsPositions() {
        // m9 is applied from partition 1, but only partition 0 has a position row.
        HistoryBuilder b = Fixtures.cleanExactlyOnce().sendOk("m9", "c", 2, 1, 0)
                .deliver("c2", 3, d("m9", 1, 0, 1)).apply("c2", "m9").ack("c2", "m9")
                .addLogRecord(1, 0, "m9").account("c", 2, "m9");
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.POSITION_MISMATCH));
        assertThat(r.anomaly(AnomalyKind.POSITION_MISMATCH).orElseThrow().subjects()).containsExactly("1/0");
    }

    // ---- lost write, poll skip, poll reorder, send reorder --------------------------------------------------

    @Test
    void confirmedSendBelowADeliveredOffsetThatNobodyGotIsALostWrite() {
        // c1's lease got 0/0, c2's lease (a new one) starts at 0/2: legal for the polls, but m2 at 0/1 was
        // confirmed and never delivered. Found without any final read.
        HistoryBuilder b = threeSends(Guarantee.AT_MOST_ONCE)
                .deliver("c1", 1, d("m1", 0, 0, 1)).deliver("c2", 2, d("m3", 0, 2, 1))
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.LOST_WRITE));
        assertThat(r.anomaly(AnomalyKind.LOST_WRITE).orElseThrow().subjects()).containsExactly("m2");
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void confirmedSendAboveEveryDeliveredOffsetIsNoLostWrite() {
        HistoryBuilder b = threeSends(Guarantee.EXACTLY_ONCE).deliver("c1", 1, d("m1", 0, 0, 1))
                .withoutDrain().withoutReadState();
        assertThat(check(b).found()).isEmpty();
    }

    @Test
    void firstDeliveriesJumpingOverAnOffsetNobodyEverGotIsAPollSkip() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendInfo("m2", "a", 20).sendOk("m3", "a", 5, 0, 2)
                .deliver("c1", 7, d("m1", 0, 0, 1)).deliver("c1", 7, d("m3", 0, 2, 1))
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.POLL_SKIP));
        assertThat(r.anomaly(AnomalyKind.POLL_SKIP).orElseThrow().subjects()).containsExactly("0/1");
    }

    @Test
    void aJumpOverADeliveryTheConsumerNeverRecordedIsNoPollSkip() {
        // A lost poll reply: 0/1 was handed out under the same lease but never reached c1; it times out and is
        // redelivered with deliveryCount 2.
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendInfo("m2", "a", 20).sendOk("m3", "a", 5, 0, 2)
                .deliver("c1", 7, d("m1", 0, 0, 1)).deliver("c1", 7, d("m3", 0, 2, 1))
                .deliver("c1", 7, d("m2", 0, 1, 2))
                .withoutDrain().withoutReadState();
        assertThat(check(b).found()).isEmpty();
    }

    @Test
    void firstDeliveriesGoingBackWithinALeaseAreAPollReorder() {
        HistoryBuilder b = threeSends(Guarantee.AT_LEAST_ONCE)
                .deliver("c1", 3, d("m1", 0, 0, 1), d("m2", 0, 1, 1, 3))
                .deliver("c1", 3, d("m2", 0, 1, 1, 3))
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        // The same record handed out twice as a first delivery is also a lie about the count.
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.POLL_REORDER, AnomalyKind.REDELIVERY_LIE));
        assertThat(r.anomaly(AnomalyKind.POLL_REORDER).orElseThrow().subjects()).containsExactly("0/1");
    }

    @Test
    void offsetsOfOnePartitionNotIncreasingWithinOnePollAreAPollReorder() {
        HistoryBuilder b = threeSends(Guarantee.EXACTLY_ONCE)
                .deliver("c1", 3, d("m1", 0, 0, 1), d("m2", 0, 1, 1))
                .deliver("c2", 4, d("m2", 0, 1, 2), d("m1", 0, 0, 2))
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.POLL_REORDER));
        assertThat(r.anomaly(AnomalyKind.POLL_REORDER).orElseThrow().subjects()).containsExactly("0/0");
    }

    @Test
    void redeliveriesBelowNewOffsetsInALaterPollAreLegal() {
        // Due redeliveries come first in a poll, lowest first, and may be below what the lease already got.
        HistoryBuilder b = threeSends(Guarantee.EXACTLY_ONCE)
                .deliver("c1", 3, d("m1", 0, 0, 1), d("m2", 0, 1, 1))
                .deliver("c1", 3, d("m1", 0, 0, 2), d("m3", 0, 2, 1))
                .withoutDrain().withoutReadState();
        assertThat(check(b).found()).isEmpty();
    }

    @Test
    void aProducersLaterSendConfirmedBelowItsEarlierSendIsASendReorder() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.EXACTLY_ONCE)
                .sendOkOn("p1.l1.0", "p1-1", "a", 1, 0, 5)
                .sendOkOn("p1.l2.0", "p1-2", "a", 1, 0, 3)
                .sendOkOn("p2.l1.0", "p2-1", "a", 1, 0, 4)
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.SEND_REORDER));
        assertThat(r.anomaly(AnomalyKind.SEND_REORDER).orElseThrow().subjects()).containsExactly("p1-2");
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void sendReorderIsOnlyReportedWhenTheProducerRetriesWithoutSequenceNumbers() {
        HistoryBuilder b = HistoryBuilder.of(Guarantee.AT_LEAST_ONCE)
                .sendOkOn("p1.l1.0", "p1-1", "a", 1, 0, 5)
                .sendOkOn("p1.l2.0", "p1-2", "a", 1, 0, 3)
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).containsExactly(AnomalyKind.SEND_REORDER);
        assertThat(r.fatalFound()).isEmpty();
    }

    // ---- delivery counts ----------------------------------------------------------------------------------

    @Test
    void aRedeliveryWithALowerCountThanTheConsumersEarlierOneIsCountNotIncreasing() {
        HistoryBuilder b = threeSends(Guarantee.AT_LEAST_ONCE)
                .deliver("c1", 3, d("m1", 0, 0, 1)).deliver("c1", 3, d("m1", 0, 0, 3))
                .deliver("c1", 3, d("m1", 0, 0, 2))
                .withoutDrain().withoutReadState();
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.COUNT_NOT_INCREASING));
        assertThat(r.anomaly(AnomalyKind.COUNT_NOT_INCREASING).orElseThrow().examples().get(0).detail())
                .contains("deliveryCount 2").contains("after deliveryCount 3");
    }

    @Test
    void twoDeliveriesOfOneRecordWithTheSameCountAreCountNotIncreasing() {
        // Two consumers' lines may reach the history out of order, so only the repeat itself is compared.
        HistoryBuilder b = threeSends(Guarantee.EXACTLY_ONCE)
                .deliver("c1", 3, d("m1", 0, 0, 1)).deliver("c2", 4, d("m1", 0, 0, 2))
                .deliver("c3", 5, d("m1", 0, 0, 2))
                .withoutDrain().withoutReadState();
        assertThat(check(b).found()).isEqualTo(kinds(AnomalyKind.COUNT_NOT_INCREASING));
    }

    @Test
    void redeliveriesSeenOutOfOrderAcrossConsumersAreLegal() {
        HistoryBuilder b = threeSends(Guarantee.EXACTLY_ONCE)
                .deliver("c1", 3, d("m1", 0, 0, 1)).deliver("c3", 5, d("m1", 0, 0, 3))
                .deliver("c2", 4, d("m1", 0, 0, 2))
                .withoutDrain().withoutReadState();
        assertThat(check(b).found()).isEmpty();
    }

    // ---- at-least-once: logged and delivered, never applied ------------------------------------------------

    @Test
    void atLeastOnceLoggedAndDeliveredButNeverAppliedIsLostEvenForAnUnknownSend() {
        // m2's send is unknown, so it is not `lost` (K − P); but the consumer got it and acked without applying.
        HistoryBuilder b = HistoryBuilder.of(Guarantee.AT_LEAST_ONCE)
                .sendOk("m1", "a", 10, 0, 0).sendInfo("m2", "b", 20)
                .deliver("c1", 1, d("m1", 0, 0, 1), d("m2", 0, 1, 1))
                .apply("c1", "m1").ack("c1", "m1", "m2")
                .drain(r(0, 0, "m1"), r(0, 1, "m2"))
                .account("a", 10, "m1");
        CheckResult r = check(b);
        assertThat(r.found()).isEqualTo(kinds(AnomalyKind.LOST_DELIVERED, AnomalyKind.STATE_VS_EXPECTED));
        assertThat(r.fatalFound()).containsExactly(AnomalyKind.LOST_DELIVERED);
        assertThat(r.counts().lost()).isEqualTo(1);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }
}
