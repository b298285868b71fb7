package io.semel.broker.internal;

import io.semel.log.GroupCommitLog;
import io.semel.log.Partition;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Durable log bounds and time-to-offset lookups for group administration, read on each
 * partition's writer thread. Blocks the caller (the coordinator thread, never an event loop) up to
 * {@link #CALL_TIMEOUT_MS} per call; a time lookup reads at most {@link #SCAN_BYTES_PER_CALL} per
 * call, so the writer is never held for a whole-partition scan. Stateless; thread-safe.
 */
final class OffsetLookup {
    /** Longest one read on a partition writer may take before the admin request fails. */
    static final long CALL_TIMEOUT_MS = 10_000;
    /** Bytes of batches one time-lookup step reads on the writer thread. */
    static final int SCAN_BYTES_PER_CALL = 1024 * 1024;

    /** Durable bounds of one partition: first offset still there, offset after the last durable record. */
    record Bounds(long startOffset, long endOffset) {
    }

    private record Step(long found, long next) {
    }

    private OffsetLookup() {
    }

    static Bounds bounds(GroupCommitLog log) {
        return await(log.call(p -> new Bounds(p.startOffset(), Math.max(p.startOffset(), p.flushedOffset()))));
    }

    /** The offset of the first durable batch whose newest timestamp is >= {@code timestampMs}; the log end if none. */
    static long offsetForTime(GroupCommitLog log, long timestampMs) {
        long from = bounds(log).startOffset();
        while (true) {
            long start = from;
            Step s = await(log.call(p -> step(p, start, timestampMs)));
            if (s.found() >= 0) {
                return s.found();
            }
            from = s.next();
        }
    }

    private static Step step(Partition p, long from, long timestampMs) throws IOException {
        long flushed = p.flushedOffset();
        long at = Math.max(from, p.startOffset());
        if (at >= flushed) {
            return new Step(flushed, flushed);
        }
        List<RecordBatch> batches = p.read(at, SCAN_BYTES_PER_CALL);
        if (batches.isEmpty()) {
            return new Step(flushed, flushed);
        }
        for (RecordBatch b : batches) {
            if (b.lastOffset() >= flushed) {
                return new Step(flushed, flushed);
            }
            // Records carry their batch's timestamps: the batch is the resolution of a time reset.
            if (b.maxTimestampMs() >= timestampMs) {
                return new Step(Math.max(b.baseOffset(), at), -1);
            }
        }
        return new Step(-1, batches.get(batches.size() - 1).nextOffset());
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestException(ErrorCode.TIMEOUT, "interrupted while reading a partition; retry");
        } catch (ExecutionException e) {
            throw new RequestException(ErrorCode.STORAGE_ERROR, "reading a partition failed: " + e.getCause()
                    + "; retry");
        } catch (TimeoutException e) {
            throw new RequestException(ErrorCode.TIMEOUT, "a partition did not answer within " + CALL_TIMEOUT_MS
                    + " ms (OffsetLookup.CALL_TIMEOUT_MS); retry");
        }
    }
}
