package io.semel.client.internal;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Records for one partition sent as one PRODUCE, and every attempt to send them. Owned by the
 * sender thread; not thread-safe. Its records and timestamp never change, so a retry sends the
 * same batch boundaries and sequences; only the epoch can change (after the producer's own
 * INIT_PRODUCER for another topic), and the base sequence only when the broker proved the batch
 * was never appended (see {@link PartitionState#rewindTo}).
 */
final class ProducerBatch {
    final TopicPartition tp;
    final List<PendingRecord> records;
    final boolean explicitSequences;
    final long timestampMs;
    final long deadlineNanos;
    long baseSequence = RecordBatch.NO_SEQUENCE;
    int attempts;
    long retryAtNanos;
    /** True once an attempt's outcome was unknown: the broker may have appended this batch. */
    boolean maybeAppended;
    /** True once the records' futures are completed; later answers are ignored. */
    boolean done;
    /**
     * Its records were already reported to the caller as outcome unknown (delivery timeout) while
     * the batch keeps being resent with its sequences until the broker resolves it; see
     * {@code Sender.expire}.
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

    int size() {
        return records.size();
    }

    long lastSequence() {
        return baseSequence < 0 ? RecordBatch.NO_SEQUENCE : baseSequence + records.size() - 1;
    }

    RecordBatch encode(long producerId, short epoch) {
        List<LogRecord> rs = new ArrayList<>(records.size());
        for (PendingRecord r : records) {
            rs.add(r.record());
        }
        return RecordBatch.of(producerId, epoch, baseSequence, timestampMs, rs);
    }

    String describe() {
        return tp + (baseSequence < 0 ? "" : " sequences " + baseSequence + ".." + lastSequence()) + " ("
                + records.size() + " records, " + attempts + " retries)";
    }
}
