package io.semel.broker.internal;

import io.semel.log.LogReader;
import io.semel.log.OffsetOutOfRangeException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.List;

/**
 * Durable log bounds and time-to-offset lookups for group administration, through each
 * partition's {@link LogReader}: {@link #bounds} reads two published fields (no I/O, safe on the
 * coordinator thread); {@link #offsetForTime} reads batches, up to a whole partition, so it runs
 * off the coordinator (see {@code GroupCoordinator#resetGroup}). Failures are
 * {@link RequestException}s. Stateless; thread-safe.
 */
final class OffsetLookup {
    /** Bytes of batches one time-lookup read takes. */
    static final int SCAN_BYTES_PER_READ = 1024 * 1024;

    /** Durable bounds of one partition: first offset still there, offset after the last durable record. */
    record Bounds(long startOffset, long endOffset) {
    }

    private OffsetLookup() {
    }

    static Bounds bounds(LogReader reader) {
        long start = reader.startOffset();
        return new Bounds(start, Math.max(start, reader.durableEnd()));
    }

    /**
     * The offset of the first durable batch whose newest timestamp is >= {@code timestampMs}; the
     * durable end if none. Reads: call off the coordinator thread.
     */
    static long offsetForTime(LogReader reader, long timestampMs) {
        long at = reader.startOffset();
        while (true) {
            long end = reader.durableEnd();
            if (at >= end) {
                return end;
            }
            List<RecordBatch> batches;
            try {
                batches = reader.read(at, SCAN_BYTES_PER_READ);
            } catch (OffsetOutOfRangeException e) {
                at = e.startOffset(); // retention moved the start meanwhile: go on from there
                continue;
            } catch (IOException e) {
                throw new RequestException(ErrorCode.STORAGE_ERROR, "reading a partition failed: " + e + "; retry");
            }
            if (batches.isEmpty()) {
                return end;
            }
            for (RecordBatch b : batches) {
                // Records carry their batch's timestamps: the batch is the resolution of a time reset.
                if (b.maxTimestampMs() >= timestampMs) {
                    return Math.max(b.baseOffset(), at);
                }
            }
            at = batches.get(batches.size() - 1).nextOffset();
        }
    }
}
