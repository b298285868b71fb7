package io.semel.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.internal.BatchDecisions.Answer;
import io.semel.client.internal.BatchDecisions.Decision;
import io.semel.client.internal.BatchDecisions.Mode;
import io.semel.client.internal.BatchDecisions.Outcome;
import io.semel.protocol.LogRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The batch state machine and the partition's sequence rules, without threads or sockets. */
class BatchLifecycleTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private static ProducerBatch batch(long base, BatchState... path) {
        PendingRecord r = new PendingRecord(new LogRecord(null, new byte[] {1}, List.of()), -1, 0,
                new CompletableFuture<>());
        ProducerBatch b = new ProducerBatch(TP, List.of(r), false, 0, Long.MAX_VALUE);
        b.sequenceFrom(base);
        for (BatchState s : path) {
            b.moveTo(s);
        }
        return b;
    }

    @Test
    void everyDecisionFollowsTheTransitionTableAndADoubtIsNeverDropped() {
        for (BatchState state : List.of(BatchState.IN_FLIGHT, BatchState.IN_FLIGHT_IN_DOUBT)) {
            for (Answer answer : Answer.values()) {
                for (Mode mode : Mode.values()) {
                    for (boolean lower : new boolean[] {false, true}) {
                        Decision d = BatchDecisions.onAnswer(state, answer, mode, lower);
                        String what = state + " + " + answer + " (" + mode + ", lowerPending " + lower + ")";
                        assertThat(state.canMoveTo(d.next())).as(what + " -> " + d.next()).isTrue();
                        if (state.inDoubt() && d.next() != BatchState.CONFIRMED) {
                            assertThat(d.next()).as(what).isIn(BatchState.IN_DOUBT, BatchState.ABANDONED);
                        }
                        if (answer == Answer.OUT_OF_ORDER && lower && mode != Mode.AT_MOST_ONCE
                                && mode != Mode.AT_LEAST_ONCE) {
                            assertThat(d.outcome()).as(what + ": wait for the lower batch").isEqualTo(Outcome.PENDING);
                        }
                        if (answer == Answer.UNKNOWN && mode != Mode.AT_MOST_ONCE) {
                            assertThat(d.next()).as(what).isEqualTo(BatchState.IN_DOUBT);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRefusalTheBrokerAnsweredLeavesTheBatchInDoubtOnlyAnAttemptThatNeverLeftKeepsItClean() {
        // A network that replays stale requests can deliver a THROTTLED or OUT_OF_ORDER attempt later.
        assertThat(BatchDecisions.onAnswer(BatchState.IN_FLIGHT, Answer.RETRIABLE, Mode.IDEMPOTENT, false).next())
                .isEqualTo(BatchState.IN_DOUBT);
        assertThat(BatchDecisions.onAnswer(BatchState.IN_FLIGHT, Answer.OUT_OF_ORDER, Mode.IDEMPOTENT, true).next())
                .isEqualTo(BatchState.IN_DOUBT);
        assertThat(BatchDecisions.onAnswer(BatchState.IN_FLIGHT, Answer.VOID, Mode.IDEMPOTENT, false).next())
                .isEqualTo(BatchState.BACKOFF);
        assertThat(BatchDecisions.classify(new io.semel.client.DefiniteFailureException(
                io.semel.protocol.ErrorCode.NONE, true, "not connected; nothing was sent", null))).isEqualTo(Answer.VOID);
        assertThat(BatchDecisions.classify(io.semel.protocol.ErrorCode.PRODUCER_FENCED, true)).isEqualTo(Answer.VOID);
        assertThat(BatchDecisions.onAnswer(BatchState.IN_FLIGHT, Answer.RETRIABLE, Mode.AT_MOST_ONCE, false))
                .isEqualTo(new Decision(BatchState.ABANDONED, Outcome.UNKNOWN, false));
    }

    @Test
    void errorsThatCanFollowAWriteAreUnknownNotRefusals() {
        for (io.semel.protocol.ErrorCode code : List.of(io.semel.protocol.ErrorCode.STORAGE_ERROR,
                io.semel.protocol.ErrorCode.UNKNOWN_SERVER_ERROR, io.semel.protocol.ErrorCode.TIMEOUT,
                io.semel.protocol.ErrorCode.NOT_ENOUGH_SPACE, io.semel.protocol.ErrorCode.BROKER_SHUTTING_DOWN)) {
            assertThat(BatchDecisions.classify(code, false)).as(code.name()).isEqualTo(Answer.UNKNOWN);
        }
    }

    @Test
    void aDoubtfulBatchPastItsDeadlineIsReportedButKeptWithItsSequences() {
        Decision d = BatchDecisions.onDeadline(BatchState.IN_DOUBT, Mode.IDEMPOTENT, true);
        assertThat(d).isEqualTo(new Decision(BatchState.IN_DOUBT, Outcome.UNKNOWN, false));
        assertThat(BatchDecisions.onDeadline(BatchState.BACKOFF, Mode.IDEMPOTENT, false).next())
                .isEqualTo(BatchState.BACKOFF);
        assertThat(BatchDecisions.onDeadline(BatchState.BACKOFF, Mode.IDEMPOTENT, true).next())
                .isEqualTo(BatchState.RELEASING);
    }

    @Test
    void releasingABatchRenumbersOnlyTheBatchesAboveItNeverOneInDoubtBelow() {
        // The state: 216 in doubt (reported, still resent), 217 given up.
        PartitionState ps = new PartitionState(TP, 219);
        ProducerBatch doubtful = batch(216, BatchState.IN_DOUBT);
        ProducerBatch refused = batch(217, BatchState.RELEASING);
        ProducerBatch above = batch(218, BatchState.BACKOFF);
        ps.addRetry(doubtful, true);
        ps.addRetry(above, true);
        ps.addReleasing(refused);

        assertThat(ps.release()).isNull();
        assertThat(doubtful.baseSequence()).as("the batch in doubt keeps its sequence").isEqualTo(216);
        assertThat(doubtful.state()).isEqualTo(BatchState.IN_DOUBT);
        assertThat(above.baseSequence()).as("moved down into the released sequence").isEqualTo(217);
        assertThat(refused.state()).isEqualTo(BatchState.REFUSED);
        assertThat(ps.nextSequence).isEqualTo(218);
    }

    @Test
    void aReleaseBelowABatchInDoubtIsRefusedAndChangesNothing() {
        PartitionState ps = new PartitionState(TP, 219);
        ProducerBatch refused = batch(216, BatchState.RELEASING);
        ProducerBatch doubtful = batch(217, BatchState.IN_DOUBT);
        ps.addRetry(doubtful, true);
        ps.addReleasing(refused);

        assertThat(ps.releaseSafe(refused)).isFalse();
        assertThat(ps.release()).isSameAs(doubtful);
        assertThat(doubtful.baseSequence()).isEqualTo(217);
        assertThat(ps.nextSequence).isEqualTo(219);
    }

    @Test
    void aBatchThatMayBeAppendedCannotBeRenumbered() {
        ProducerBatch doubtful = batch(216, BatchState.IN_DOUBT);
        assertThatThrownBy(() -> doubtful.sequenceFrom(217)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only a BACKOFF batch");
        assertThatThrownBy(() -> doubtful.moveTo(BatchState.BACKOFF)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("IN_DOUBT -> BACKOFF");
    }
}
