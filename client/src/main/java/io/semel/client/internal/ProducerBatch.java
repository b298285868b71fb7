package io.semel.client.internal;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Records for one partition sent as one PRODUCE, and every attempt to send them. Owned by the
 * sender thread (or the simulation driving {@link SendEngine}); not thread-safe. Its records and
 * timestamp never change, so a retry sends the same batch boundaries; only the epoch can change
 * (after the producer's own INIT_PRODUCER for another topic), and the base sequence only while the
 * batch is {@link BatchState#BACKOFF} and a batch below it was released (see {@link BatchState}).
 */
public final class ProducerBatch {
    final TopicPartition tp;
    final List<PendingRecord> records;
    final boolean explicitSequences;
    final long timestampMs;
    final long deadlineNanos;
    private BatchState state = BatchState.IN_FLIGHT;
    private long baseSequence = RecordBatch.NO_SEQUENCE;
    int attempts;
    long retryAtNanos;
    /**
     * Its records' futures are already completed: confirmed, failed, or reported as outcome unknown
     * at the delivery timeout while the batch keeps being resent with its sequences until the broker
     * resolves it. Separate from the state on purpose: it is about the callers, not about what the
     * broker may hold.
     */
    boolean reported;
    short epochSent = RecordBatch.NO_PRODUCER_EPOCH;
    Throwable lastError;

    ProducerBatch(TopicPartition tp, List<PendingRecord> records, boolean explicitSequences, long timestampMs,
            long deadlineNanos) {
        this.tp = tp;
        this.records = List.copyOf(records);
        this.explicitSequences = explicitSequences;
        this.timestampMs = timestampMs;
        this.deadlineNanos = deadlineNanos;
        if (explicitSequences) {
            baseSequence = records.get(0).sequence();
        }
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    public BatchState state() {
        return state;
    }

    public long baseSequence() {
        return baseSequence;
    }

    public List<PendingRecord> records() {
        return records;
    }

    /** Moves along {@link BatchState}'s table; staying in the same state is not a transition. */
    void moveTo(BatchState next) {
        if (next != state && !state.canMoveTo(next)) {
            throw new IllegalStateException("batch " + describe() + ": no transition " + state + " -> " + next
                    + " in BatchState's table");
        }
        state = next;
    }

    /** Sets the first sequence (at creation) or renumbers a batch that can have no copy anywhere. */
    void sequenceFrom(long base) {
        if (baseSequence >= 0 && base != baseSequence && (state != BatchState.BACKOFF || explicitSequences)) {
            throw new IllegalStateException("batch " + describe() + " in state " + state + " would move to sequence "
                    + base + ": only a BACKOFF batch with producer-assigned sequences may be renumbered");
        }
        baseSequence = base;
    }

    public int size() {
        return records.size();
    }

    long lastSequence() {
        return baseSequence < 0 ? RecordBatch.NO_SEQUENCE : baseSequence + records.size() - 1;
    }

    /** Encodes the batch as the next attempt sends it. */
    public RecordBatch encode(long producerId, short epoch) {
        List<LogRecord> rs = new ArrayList<>(records.size());
        for (PendingRecord r : records) {
            rs.add(r.record());
        }
        return RecordBatch.of(producerId, epoch, baseSequence, timestampMs, rs);
    }

    public String describe() {
        return tp + (baseSequence < 0 ? "" : " sequences " + baseSequence + ".." + lastSequence()) + " ("
                + records.size() + " records, " + attempts + " retries, " + state + ")";
    }
}
