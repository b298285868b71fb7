package io.semel.log.producer;

import io.semel.log.AppendRejectedException;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;

/** A partition reduced to what the table needs: check, stamp offsets, append, report. */
final class TestPartition {
    final ProducerStateTable table;
    final List<RecordBatch> log = new ArrayList<>();
    long nextOffset;

    TestPartition(ProducerStateTable table) {
        this.table = table;
    }

    /** An unstamped idempotent batch of {@code count} one-byte records. */
    static RecordBatch batch(long producerId, int epoch, long baseSequence, int count, long timestampMs) {
        List<LogRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(LogRecord.of(null, new byte[] {(byte) i}));
        }
        return RecordBatch.of(producerId, (short) epoch, baseSequence, timestampMs, records);
    }

    /** Checks and, on APPEND, writes; returns the stamped batch appended, or null for a duplicate. */
    RecordBatch send(RecordBatch batch, int currentEpoch) {
        SequenceCheck check = table.check(batch, (short) currentEpoch);
        if (check.isDuplicate()) {
            return null;
        }
        RecordBatch stamped = batch.withBaseOffset(nextOffset);
        nextOffset = stamped.nextOffset();
        log.add(stamped);
        table.onAppended(stamped);
        return stamped;
    }

    /** The outcome of {@code check} as a comparable string: the decision or the error and message. */
    static String decision(ProducerStateTable table, RecordBatch batch, int currentEpoch) {
        try {
            return table.check(batch, (short) currentEpoch).toString();
        } catch (AppendRejectedException e) {
            return e.errorCode() + ": " + e.getMessage();
        }
    }
}
