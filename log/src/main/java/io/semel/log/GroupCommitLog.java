package io.semel.log;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one partition: many threads submit appends; an <b>appender</b> thread drains what
 * is queued and writes it, a <b>flusher</b> thread ({@link Flusher}) forces once for everything
 * written since its last force and only then completes those appends' futures. The two overlap: while
 * one {@code fsync} runs, the appender writes the next requests, and the next force covers all of
 * them, so one force confirms everything written while the previous one ran.
 *
 * <p>Order, the one commit point of the broker's write path:
 * <ol>
 *   <li>appender: drain up to {@link #ROUND_REQUESTS_MAX} queued requests;
 *   <li>appender: for each, dedup check, then write (duplicates and rejections write nothing;
 *       a rejection is answered at once);
 *   <li>appender: hand the written requests to the flusher with the log's end offset at that moment,
 *       and go back to 1 (blocking only while {@link #UNFORCED_REQUESTS_MAX} requests or
 *       {@link #UNFORCED_BYTES_MAX} bytes already wait for the next force);
 *   <li>flusher: take everything handed over, {@code force()} the segment once;
 *   <li>flusher: complete the futures: confirmed only now, so nothing confirmed can be lost to a crash.
 * </ol>
 * Duplicates and tasks are confirmed after such a force too: their original (or what a task read) may
 * have been written just before and not be durable yet. A round that created a segment is the
 * exception: the appender waits until the flusher is idle and runs the full {@link Partition#flush()}
 * itself (directory sync, checkpoint, producer snapshot), as every round did before the split.
 * Under {@link FlushPolicy#intervalMs} there is no flusher: the appender confirms after the write and
 * forces on the interval.
 *
 * <p>Threads: both threads are made by the caller's {@link ThreadFactory} (the log module owns no
 * threads of its own; the flusher's name is the appender's plus {@code -flush}). The appender opens,
 * owns and closes the {@link Partition}, which is single-writer; the flusher touches only the active
 * segment's file, through {@link PartitionLog.PendingForce}. {@link #append} and {@link #call} are
 * thread-safe and never block: a full queue answers {@link ErrorCode#THROTTLED} at once.
 *
 * <p>A failing task (see {@link #call}) fails only its own future. After a storage failure (a
 * failed append write or force) every unconfirmed request written before it fails with that
 * {@link IOException} (its outcome is unknown to the client, who retries and is deduplicated), and
 * the partition is closed and reopened through recovery before the next request, so in-memory state
 * never runs ahead of what the disk holds.
 */
public final class GroupCommitLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);
    /** Requests taken into one write-and-force round. */
    public static final int ROUND_REQUESTS_MAX = 1024;
    /** Requests written and waiting for the next force while one runs; the appender waits beyond it. */
    public static final int UNFORCED_REQUESTS_MAX = ROUND_REQUESTS_MAX;
    /** Bytes written and waiting for the next force while one runs (bounds one fsync's work too). */
    public static final long UNFORCED_BYTES_MAX = 16L << 20;
    /** Default bound of the request queue. */
    public static final int PENDING_REQUESTS_MAX_DEFAULT = 16_384;
    /** Queued by {@link #close} to wake a writer blocked on an empty queue; never executed. */
    private static final Request<Void> WAKE = new Request<>(null, (short) -1, p -> null);
    /**
     * Queued by the flusher after a failed force when the appender's queue is empty, so an idle appender
     * closes the partition at once (readers then see it closed) rather than at the next request; never
     * executed. A successful force needs no wake-up: it published its durable end to the readers itself
     * ({@link PartitionLog.PendingForce#force()}), and the next round takes its offset before it runs.
     */
    private static final Request<Void> FORCE_FAILED = new Request<>(null, (short) -1, p -> null);

    /** Opens the partition; called on the writer thread at start and after a storage failure. */
    @FunctionalInterface
    public interface PartitionOpener {
        Partition open() throws IOException;
    }

    /**
     * Told about every write round after its force, on the writer thread (for metrics): must return
     * quickly and not throw.
     */
    @FunctionalInterface
    public interface RoundListener {
        /** Ignores every round. */
        RoundListener NONE = (appends, bytes, forceNanos) -> { };

        /**
         * @param appends appends written in the round (its group-commit batch size)
         * @param bytes bytes of those appends
         * @param forceNanos time of the round's {@code force()}; 0 when the flush policy did not force
         */
        void round(int appends, long bytes, long forceNanos);
    }

    /** Work that must run on the writer thread (reads of producer state, inspection). */
    @FunctionalInterface
    public interface PartitionTask<T> {
        T run(Partition partition) throws IOException;
    }

    private final PartitionOpener opener;
    private final FlushPolicy flushPolicy;
    private final BlockingQueue<Request<?>> queue;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Thread writer;
    private final RoundListener listener;
    /** Forces and confirms under {@link FlushPolicy#everyBatch()}; null under the interval policy. */
    private final Flusher flusher;
    private volatile boolean closing;
    /** The partition's next offset after the last confirmed round; readable from any thread. */
    private volatile long endOffset;
    private Partition partition; // writer thread only
    private long lastForceNanos; // writer thread only
    /** Interval policy only: bytes were written since the last force. Writer thread only. */
    private boolean unforcedWrites;
    /** Times the writer woke with nothing to write or force; written by the writer only. */
    private volatile long idleWakeups;

    private GroupCommitLog(PartitionOpener opener, FlushPolicy flushPolicy, int pendingRequestsMax,
            int unforcedRequestsMax, ThreadFactory threads, RoundListener listener) {
        this.listener = listener;
        this.opener = opener;
        this.flushPolicy = flushPolicy;
        this.queue = new ArrayBlockingQueue<>(pendingRequestsMax);
        this.writer = threads.newThread(this::run);
        this.flusher = flushPolicy.forceBeforeConfirm()
                ? new Flusher(unforcedRequestsMax, UNFORCED_BYTES_MAX, listener, offset -> endOffset = offset,
                        () -> {
                            if (queue.isEmpty()) {
                                queue.offer(FORCE_FAILED);
                            }
                        }, threads, writer.getName())
                : null;
    }

    /**
     * Starts the writer thread, which opens the partition; returns once it is open.
     *
     * @throws IOException if the partition cannot be opened (recovery failed)
     */
    public static GroupCommitLog start(PartitionOpener opener, FlushPolicy flushPolicy, int pendingRequestsMax,
            ThreadFactory threads) throws IOException {
        return start(opener, flushPolicy, pendingRequestsMax, threads, RoundListener.NONE);
    }

    /** As {@link #start(PartitionOpener, FlushPolicy, int, ThreadFactory)}, telling {@code listener} of each round. */
    public static GroupCommitLog start(PartitionOpener opener, FlushPolicy flushPolicy, int pendingRequestsMax,
            ThreadFactory threads, RoundListener listener) throws IOException {
        return start(opener, flushPolicy, pendingRequestsMax, UNFORCED_REQUESTS_MAX, threads, listener);
    }

    /** As above with another bound of the requests waiting for the next force (tests). */
    static GroupCommitLog start(PartitionOpener opener, FlushPolicy flushPolicy, int pendingRequestsMax,
            int unforcedRequestsMax, ThreadFactory threads, RoundListener listener) throws IOException {
        if (pendingRequestsMax < 1 || unforcedRequestsMax < 1) {
            throw new IllegalArgumentException("pendingRequestsMax and unforcedRequestsMax must be >= 1, got "
                    + pendingRequestsMax + " and " + unforcedRequestsMax);
        }
        GroupCommitLog gcl = new GroupCommitLog(opener, flushPolicy, pendingRequestsMax, unforcedRequestsMax, threads,
                listener);
        gcl.writer.start();
        try {
            gcl.started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gcl.closing = true;
            throw new IOException("interrupted while opening the partition", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        return gcl;
    }

    /**
     * Submits an append. The future completes after the batch (or its original, for a duplicate)
     * is durable, or exceptionally with {@link AppendRejectedException} (nothing written) or an
     * {@link IOException} (storage failure; outcome unknown).
     */
    public CompletableFuture<AppendOutcome> append(RecordBatch batch, short currentEpoch) {
        return submit(new Request<>(batch, currentEpoch, null));
    }

    /** Runs a task on the writer thread, after the appends queued before it are durable. */
    public <T> CompletableFuture<T> call(PartitionTask<T> task) {
        return submit(new Request<>(null, (short) -1, task));
    }

    private <T> CompletableFuture<T> submit(Request<T> request) {
        if (closing) {
            request.future.completeExceptionally(new IllegalStateException("partition log is closed"));
        } else if (!queue.offer(request)) {
            request.future.completeExceptionally(new AppendRejectedException(ErrorCode.THROTTLED,
                    "partition write queue is full (" + queue.size() + " pending); retry after a backoff"));
        }
        return request.future;
    }

    private void run() {
        try {
            partition = opener.open();
            lastForceNanos = System.nanoTime();
            endOffset = partition.nextOffset();
            if (flusher != null) {
                flusher.start(partition.flushedOffset());
            }
            started.complete(null);
        } catch (IOException | RuntimeException e) {
            started.completeExceptionally(e);
            return;
        }
        List<Request<?>> round = new ArrayList<>();
        try {
            while (!closing || !queue.isEmpty()) {
                Request<?> first = nextRequest();
                if (first == FORCE_FAILED) {
                    takeFlusherResults();
                } else if (first != null && first != WAKE) {
                    round.add(first);
                    queue.drainTo(round, ROUND_REQUESTS_MAX - 1);
                    round.removeIf(r -> r == WAKE || r == FORCE_FAILED);
                    processRound(round);
                    round.clear();
                }
                boolean forced = forceIfIntervalElapsed();
                if (first == null && !forced) {
                    idleWakeups++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutDownPartition();
        }
    }

    /**
     * Waits for work. An idle partition costs nothing: with nothing to force, the writer blocks
     * until a request (or {@link #close}'s wake-up) arrives; only the interval policy with
     * unforced writes waits with a deadline, the moment its force is due.
     */
    private Request<?> nextRequest() throws InterruptedException {
        if (!unforcedWrites) {
            return queue.take();
        }
        long dueNanos = lastForceNanos + TimeUnit.MILLISECONDS.toNanos(flushPolicy.intervalMs()) - System.nanoTime();
        return queue.poll(Math.max(0, dueNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * The partition's next offset as of the last completed round (its log end offset; under the
     * interval flush policy it may include unforced batches). Safe from any thread.
     */
    public long endOffset() {
        return endOffset;
    }

    /** Wake-ups that found nothing to write or force (an idle partition should have none). */
    long idleWakeups() {
        return idleWakeups;
    }

    private void processRound(List<Request<?>> round) {
        if (flusher != null) {
            takeFlusherResults();
        }
        List<Request<?>> done = writeAll(round);
        if (done == null || done.isEmpty()) {
            return;
        }
        if (flusher == null) {
            // Interval policy: confirmed once written; the force follows on the interval.
            unforcedWrites = true;
            endOffset = partition.nextOffset();
            done.forEach(Request::confirm);
            Flusher.report(listener, done, 0);
            return;
        }
        PartitionLog.PendingForce force = partition.pendingForce();
        if (force != null) {
            if (!flusher.handOver(done, force)) {
                // The flusher's last force failed while this round was written: its bytes may be lost too.
                failAfterForceFailure(done, flusher.failure());
            }
            return;
        }
        flushHere(done);
    }

    /**
     * Before a round: a failed force of the flusher closes the partition (recovery on the next request);
     * completed ones move the partition's flushed offset (readers already got it from the flusher).
     */
    private void takeFlusherResults() {
        IOException failed = flusher.failure();
        if (failed != null) {
            failAfterForceFailure(List.of(), failed);
        } else if (partition != null) {
            partition.forcedTo(flusher.forcedOffset());
        }
    }

    /** Runs every request of the round; the ones to confirm after a force, or null after a storage failure. */
    private List<Request<?>> writeAll(List<Request<?>> round) {
        List<Request<?>> done = new ArrayList<>(round.size());
        for (int i = 0; i < round.size(); i++) {
            Request<?> r = round.get(i);
            try {
                ensureOpen();
                if (r.isTask() && flusher != null && partition.rollPending()) {
                    // A task may delete segments (retention, compaction): never the one a force still runs on.
                    flusher.awaitIdle();
                }
                r.execute(partition);
                done.add(r);
            } catch (AppendRejectedException e) {
                r.fail(e); // nothing was written
            } catch (IOException | RuntimeException e) {
                if (r.isTask() && partition != null) {
                    // A task (a read, an inspection) wrote nothing: its failure is its own.
                    r.fail(e);
                    continue;
                }
                failRound(e, done, round.subList(i, round.size()));
                return null;
            }
        }
        return done;
    }

    /**
     * The round created a segment: once the flusher confirmed everything before it, the full flush
     * (segments, directory, checkpoint, producer snapshot) runs here, then the round is confirmed.
     */
    private void flushHere(List<Request<?>> done) {
        IOException failed = flusher.awaitIdle();
        if (failed != null) {
            failAfterForceFailure(done, failed);
            return;
        }
        long forceNanos;
        try {
            long before = System.nanoTime();
            partition.flush();
            lastForceNanos = System.nanoTime();
            forceNanos = Math.max(1, lastForceNanos - before);
        } catch (IOException | RuntimeException e) {
            failRound(e, done, List.of());
            return;
        }
        flusher.flushedBySelf(partition.flushedOffset());
        endOffset = partition.nextOffset();
        done.forEach(Request::confirm);
        Flusher.report(listener, done, forceNanos);
    }

    /** Interval policy: forces when the interval has passed since the last force; true if it forced. */
    private boolean forceIfIntervalElapsed() {
        if (flushPolicy.forceBeforeConfirm() || partition == null || !unforcedWrites) {
            return false;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastForceNanos);
        if (elapsedMs >= flushPolicy.intervalMs()) {
            try {
                partition.flush();
            } catch (IOException | RuntimeException e) {
                // Appends confirmed since the last force may be lost: the weaker policy's stated cost.
                LOG.error("interval flush failed; reopening partition", e);
                reopenAfterFailure();
            }
            lastForceNanos = System.nanoTime();
            unforcedWrites = false;
            return true;
        }
        return false;
    }

    private void failRound(Exception cause, List<Request<?>> written, List<Request<?>> notRun) {
        LOG.error("storage failure; failing {} written and {} pending requests and reopening the partition",
                written.size(), notRun.size(), cause);
        written.forEach(r -> r.fail(cause));
        notRun.forEach(r -> r.fail(cause));
        reopenAfterFailure();
    }

    /** A force run by the flusher failed: fail {@code written} (never confirmed) and drop the partition. */
    private void failAfterForceFailure(List<Request<?>> written, IOException cause) {
        LOG.error("force failed; failing {} more written requests and reopening the partition", written.size(), cause);
        written.forEach(r -> r.fail(cause));
        if (partition != null) {
            partition.markFailed(cause); // its close must not force again: a retried fsync can falsely succeed
        }
        reopenAfterFailure();
    }

    private void ensureOpen() throws IOException {
        if (partition == null) {
            partition = opener.open();
            if (flusher != null) {
                flusher.reset(partition.flushedOffset());
            }
            endOffset = partition.nextOffset();
            LOG.info("partition reopened after storage failure");
        }
    }

    private void reopenAfterFailure() {
        // The flusher may still force this partition's file: the requests handed to it get their outcome first.
        if (flusher != null) {
            IOException failed = flusher.awaitIdle();
            if (failed != null && partition != null) {
                partition.markFailed(failed);
            }
        }
        // Whatever the page cache holds after a failed force is not trusted: drop it, recover.
        try {
            if (partition != null) {
                partition.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing the failed partition also failed: {}", e.toString());
        }
        partition = null;
    }

    private void shutDownPartition() {
        if (flusher != null) {
            IOException failed = flusher.awaitIdle();
            if (failed != null && partition != null) {
                partition.markFailed(failed);
            }
            flusher.stop();
        }
        if (partition != null) {
            try {
                partition.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("closing partition failed", e);
            }
            partition = null;
        }
        for (Request<?> r; (r = queue.poll()) != null; ) {
            r.fail(new IllegalStateException("partition log is closed"));
        }
    }

    /** Stops accepting requests, completes the queued ones, flushes, closes the partition. */
    @Override
    public void close() throws IOException {
        closing = true;
        try {
            // A writer blocked on the empty queue needs a wake-up; a full queue means it is busy, and the
            // offer waits for room (the writer keeps draining) unless the writer has already ended.
            boolean woken = false;
            while (!woken && writer.isAlive()) {
                woken = queue.offer(WAKE, 10, TimeUnit.MILLISECONDS);
            }
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while closing the partition log", e);
        }
    }

    /** One queued unit: an append or a task. Mutable result fields are appender-thread only. */
    private static final class Request<T> implements Flusher.Pending {
        final RecordBatch batch;
        final short currentEpoch;
        final PartitionTask<T> task;
        final CompletableFuture<T> future = new CompletableFuture<>();
        private T result;

        Request(RecordBatch batch, short currentEpoch, PartitionTask<T> task) {
            this.batch = batch;
            this.currentEpoch = currentEpoch;
            this.task = task;
        }

        boolean isTask() {
            return task != null;
        }

        @SuppressWarnings("unchecked")
        void execute(Partition partition) throws IOException {
            result = task != null ? task.run(partition) : (T) partition.append(batch, currentEpoch);
        }

        @Override
        public void confirm() {
            future.complete(result);
        }

        @Override
        public void fail(Throwable cause) {
            future.completeExceptionally(cause);
        }

        @Override
        public boolean isAppend() {
            return task == null;
        }

        @Override
        public long batchBytes() {
            return batch == null ? 0 : batch.sizeInBytes();
        }
    }
}
