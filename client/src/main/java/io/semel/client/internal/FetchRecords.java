package io.semel.client.internal;

import io.semel.client.PartitionRecord;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;

/** Turns a FETCH answer's batches into records with offsets. Pure; thread-safe. */
public final class FetchRecords {
    private FetchRecords() {
    }

    /**
     * The records at offsets {@code >= fromOffset}, in offset order. The first batch may start below
     * {@code fromOffset} (batches are not split), so its earlier records are skipped.
     *
     * @throws IllegalStateException when the broker's batches go backwards or overlap: a broker bug,
     *     never silently reordered
     */
    public static List<PartitionRecord> from(String topic, int partition, long fromOffset, List<RecordBatch> batches) {
        List<PartitionRecord> out = new ArrayList<>();
        long expectedAtLeast = fromOffset;
        for (RecordBatch b : batches) {
            if (b.nextOffset() <= expectedAtLeast) {
                if (out.isEmpty() && b.nextOffset() <= fromOffset) {
                    continue; // entirely below the requested offset
                }
                throw new IllegalStateException("FETCH " + topic + "-" + partition + " from " + fromOffset
                        + " returned batch " + b.baseOffset() + ".." + b.lastOffset() + " after offset "
                        + (expectedAtLeast - 1) + ": batches overlap or go backwards");
            }
            List<LogRecord> records = b.records();
            for (int i = 0; i < records.size(); i++) {
                long offset = b.baseOffset() + i;
                if (offset < expectedAtLeast) {
                    continue;
                }
                LogRecord r = records.get(i);
                out.add(new PartitionRecord(topic, partition, offset, r.key(), r.value(), r.headers(),
                        b.firstTimestampMs()));
            }
            expectedAtLeast = b.nextOffset();
        }
        return out;
    }
}
