package io.semel.log;

import io.semel.log.internal.ReadableSegment;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads of one partition's <em>durable</em> data from any thread, without a round trip through
 * the partition's writer: the writer publishes an immutable view (its segments, their sizes and
 * index snapshots, the durable end offset) after every force, roll, retention pass and recovery,
 * and readers read the segment files positionally.
 *
 * <p><b>Durable end.</b> {@link #durableEnd()} is the partition's flushed offset as of the last
 * publication: every offset below it is on disk, and nothing at or above it is ever returned. The
 * writer publishes after the force and before it confirms the appends of that round, so a client
 * that holds a confirmation can read what it confirmed.
 *
 * <p><b>Safety against roll, retention and recovery.</b> Segment files are reference counted
 * ({@code SharedFile}): a reader takes a reference on each segment file before reading it; the
 * writer removes a segment from the published view <em>before</em> it gives up its own reference
 * (retention, compaction, close). A reader that still holds an older view either got its reference
 * in time (the file stays open, even unlinked, until it lets go) or fails to get one and retries on
 * the newer view, where an offset that retention removed is out of range. Recovery after a storage
 * failure opens new segment files, never the published ones, and publishes their view after
 * truncating; while the partition is closed the view says so and reads fail with an
 * {@link IOException} (callers treat it like any failed read).
 *
 * <p><b>Waiting.</b> {@link #awaitDurableBeyond} gives a future the writer completes, on its own
 * thread, once the durable end passes an offset (or the log closes): long-polls wait for it instead
 * of re-reading. Continue with {@code *Async} methods; never run work on the writer thread.
 *
 * <p>A reader thread must not be interrupted during a read: a {@link java.nio.channels.FileChannel}
 * closes itself when a thread blocked in it is interrupted, which would fail the writer too (it
 * then reopens the partition through recovery; nothing durable is lost).
 *
 * <p>Thread-safe. One per partition, kept across the partition's reopenings.
 */
public final class LogReader {
    /** Attempts of one read against views that change under it (each change is a roll, retention or reopen). */
    static final int VIEW_RETRIES_MAX = 8;
    /** Registered waiters that trigger a sweep of abandoned ones. */
    private static final int WAITERS_SWEEP_AT = 64;

    private volatile View view = View.CLOSED;
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitersSinceSweep = new AtomicInteger();

    /** What the writer published: immutable. {@code segments} sorted by base offset. */
    record View(boolean open, long startOffset, long durableEnd, ReadableSegment[] segments) {
        static final View CLOSED = closed(0, 0);

        /** A closed log that last held {@code [startOffset, durableEnd)}: the bounds stay readable. */
        static View closed(long startOffset, long durableEnd) {
            return new View(false, startOffset, durableEnd, new ReadableSegment[0]);
        }
    }

    private record Waiter(long offset, CompletableFuture<Void> future) {
    }

    /** The flushed offset as of the last publication: every offset below it is durable. 0 before the first open. */
    public long durableEnd() {
        return view.durableEnd();
    }

    /** The oldest offset still in the log as of the last publication. */
    public long startOffset() {
        return view.startOffset();
    }

    /** Whether the partition is open (false before the first open, while it is reopened, and after close). */
    public boolean isOpen() {
        return view.open();
    }

    /**
     * The durable batches holding offsets from {@code fromOffset} on, in order, dense. The first may
     * start before {@code fromOffset}. Their total size is at most {@code maxBytes}, except that the
     * first batch is returned whatever its size.
     *
     * @return empty when {@code fromOffset >= durableEnd()}
     * @throws OffsetOutOfRangeException when {@code fromOffset < startOffset()} (retention removed it)
     * @throws IOException when the partition is closed or being reopened, or a stored batch is
     *     corrupt (checksum): the caller reports a failed read
     */
    public List<RecordBatch> read(long fromOffset, int maxBytes) throws IOException {
        return read(fromOffset, maxBytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #read(long, int)}, but stops after the batch that holds offset
     * {@code fromOffset + maxRecords - 1}: a reader that wants a number of records reads (and
     * checksums) no batch beyond them.
     */
    public List<RecordBatch> read(long fromOffset, int maxBytes, long maxRecords) throws IOException {
        if (maxRecords <= 0) {
            throw new IllegalArgumentException("maxRecords is " + maxRecords + "; it must be positive");
        }
        long stopAt = fromOffset + maxRecords < fromOffset ? Long.MAX_VALUE : fromOffset + maxRecords;
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes is " + maxBytes + "; it must be positive");
        }
        for (int attempt = 0; attempt < VIEW_RETRIES_MAX; attempt++) {
            View v = view;
            if (!v.open()) {
                throw new IOException("partition log is closed or being reopened; retry");
            }
            if (fromOffset < v.startOffset()) {
                throw new OffsetOutOfRangeException(fromOffset, v.startOffset(), v.durableEnd());
            }
            List<RecordBatch> out = new ArrayList<>();
            if (fromOffset >= v.durableEnd() || readFrom(v, fromOffset, maxBytes, stopAt, out)) {
                return out;
            }
            // A segment file was retired under us: the writer has published a newer view.
        }
        throw new IOException("partition log changed " + VIEW_RETRIES_MAX + " times during one read; retry");
    }

    /** Reads into {@code out}; false when a segment's file could no longer be acquired. */
    private static boolean readFrom(View v, long fromOffset, int maxBytes, long stopAt, List<RecordBatch> out)
            throws IOException {
        int index = segmentIndex(v.segments(), fromOffset);
        long next = fromOffset;
        long totalBytes = 0;
        boolean first = true;
        for (int i = index; i < v.segments().length && next < v.durableEnd() && next < stopAt; i++) {
            ReadableSegment s = v.segments()[i];
            if (next >= s.nextOffset()) {
                continue; // an empty (just rolled) segment, or one ending before next
            }
            if (!s.file().tryAcquire()) {
                out.clear();
                return false;
            }
            try {
                long position = s.positionOf(next);
                while (position < s.sizeBytes() && next < v.durableEnd() && next < stopAt) {
                    RecordBatch batch = s.read(position);
                    if (first ? batch.baseOffset() > next || batch.lastOffset() < next : batch.baseOffset() != next) {
                        throw new IOException("corrupt log: expected the batch holding offset " + next + " at position "
                                + position + " of the segment at " + s.baseOffset() + ", found " + batch.baseOffset()
                                + ".." + batch.lastOffset());
                    }
                    if (batch.lastOffset() >= v.durableEnd()) {
                        return true; // published sizes can include unforced bytes (interval flush policy)
                    }
                    if (!first && totalBytes + batch.sizeInBytes() > maxBytes) {
                        return true;
                    }
                    out.add(batch);
                    first = false;
                    totalBytes += batch.sizeInBytes();
                    position += batch.sizeInBytes();
                    next = batch.nextOffset();
                }
            } finally {
                s.file().release();
            }
        }
        return true;
    }

    /** Index of the last segment with base offset at most {@code offset}. */
    private static int segmentIndex(ReadableSegment[] segments, long offset) {
        int lo = 0;
        int hi = segments.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments[mid].baseOffset() <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * A future completed (on the writer thread) once {@code durableEnd() > offset} or the log is
     * closed; completed at once if that is already so. Callers that stop waiting should cancel it,
     * so it is swept from the waiter list.
     */
    public CompletableFuture<Void> awaitDurableBeyond(long offset) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(new Waiter(offset, f));
        if (waitersSinceSweep.incrementAndGet() >= WAITERS_SWEEP_AT) {
            waitersSinceSweep.set(0);
            waiters.removeIf(w -> w.future().isDone());
        }
        // Re-check after registering: a publication between the caller's check and add must not be missed.
        View v = view;
        if (!v.open() || v.durableEnd() > offset) {
            f.complete(null);
        }
        return f;
    }

    /** Writer thread: makes {@code published} the view, then wakes the waiters it satisfies. */
    void publish(View published) {
        view = published;
        if (waiters.isEmpty()) {
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.future().isDone()) {
                it.remove();
            } else if (!published.open() || published.durableEnd() > w.offset()) {
                it.remove();
                w.future().complete(null);
            }
        }
    }

    /** Registered waiters not yet completed or swept: for tests. */
    int waiterCount() {
        return waiters.size();
    }
}
