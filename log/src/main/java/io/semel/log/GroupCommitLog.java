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
 * Group commit for one partition: many threads submit appends, one writer thread drains what is
 * queued, writes it, forces once, and only then completes every append's future.
 *
 * <p>Order of a round, the one commit point of the broker's write path:
 * <ol>
 *   <li>drain up to {@link #ROUND_REQUESTS_MAX} queued requests;
 *   <li>for each: dedup check, then write (duplicates and rejections write nothing);
 *   <li>{@code force()} once for the whole round;
 *   <li>complete the futures: confirmed only now, so nothing confirmed can be lost to a crash.
 * </ol>
 * Duplicates are confirmed after the force too: their original may have been written in this
 * very round and not be durable yet.
 *
 * <p>Threads: the writer thread is made by the caller's {@link ThreadFactory} (the log module owns
 * no threads of its own); it opens, owns and closes the {@link Partition}, which is single-writer.
 * {@link #append} and {@link #call} are thread-safe and never block: a full queue answers
 * {@link ErrorCode#THROTTLED} at once.
 *
 * <p>A failing task (see {@link #call}) fails only its own future. After a storage failure (a
 * failed append write or force) every unconfirmed request of the round fails
 * with that {@link IOException} — its outcome is unknown to the client, who retries and is
 * deduplicated — and the partition is closed and reopened through recovery before the next
 * request, so in-memory state never runs ahead of what the disk holds.
 */
public final class GroupCommitLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);
    /** Requests taken into one write-and-force round. */
    public static final int ROUND_REQUESTS_MAX = 1024;
    /** Default bound of the request queue. */
    public static final int PENDING_REQUESTS_MAX_DEFAULT = 16_384;
    /** Queued by {@link #close} to wake a writer blocked on an empty queue; never executed. */
    private static final Request<Void> WAKE = new Request<>(null, (short) -1, p -> null);

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
    private volatile boolean closing;
    /** The partition's next offset after the last completed round; readable from any thread. */
    private volatile long endOffset;
    private Partition partition; // writer thread only
    private long lastForceNanos; // writer thread only
    /** Interval policy only: bytes were written since the last force. Writer thread only. */
    private boolean unforcedWrites;
    /** Times the writer woke with nothing to write or force; written by the writer only. */
    private volatile long idleWakeups;

    private GroupCommitLog(PartitionOpener opener, FlushPolicy flushPolicy, int pendingRequestsMax,
            ThreadFactory threads, RoundListener listener) {
        this.listener = listener;
        this.opener = opener;
        this.flushPolicy = flushPolicy;
        this.queue = new ArrayBlockingQueue<>(pendingRequestsMax);
        this.writer = threads.newThread(this::run);
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
        if (pendingRequestsMax < 1) {
            throw new IllegalArgumentException("pendingRequestsMax must be >= 1, got " + pendingRequestsMax);
        }
        GroupCommitLog gcl = new GroupCommitLog(opener, flushPolicy, pendingRequestsMax, threads, listener);
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
            started.complete(null);
        } catch (IOException | RuntimeException e) {
            started.completeExceptionally(e);
            return;
        }
        List<Request<?>> round = new ArrayList<>();
        try {
            while (!closing || !queue.isEmpty()) {
                Request<?> first = nextRequest();
                if (first != null && first != WAKE) {
                    round.add(first);
                    queue.drainTo(round, ROUND_REQUESTS_MAX - 1);
                    round.remove(WAKE);
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
        List<Request<?>> done = new ArrayList<>(round.size());
        for (int i = 0; i < round.size(); i++) {
            Request<?> r = round.get(i);
            try {
                ensureOpen();
                r.execute(partition);
                done.add(r);
            } catch (AppendRejectedException e) {
                r.future.completeExceptionally(e); // nothing was written
            } catch (IOException | RuntimeException e) {
                if (r.isTask() && partition != null) {
                    // A task (a read, an inspection) wrote nothing: its failure is its own.
                    r.future.completeExceptionally(e);
                    continue;
                }
                failRound(e, done, round.subList(i, round.size()));
                return;
            }
        }
        long forceNanos = 0;
        if (!flushPolicy.forceBeforeConfirm()) {
            unforcedWrites |= !done.isEmpty();
        } else {
            try {
                long before = System.nanoTime();
                partition.flush();
                lastForceNanos = System.nanoTime();
                forceNanos = lastForceNanos - before;
            } catch (IOException | RuntimeException e) {
                failRound(e, done, List.of());
                return;
            }
        }
        endOffset = partition.nextOffset();
        for (Request<?> r : done) {
            r.complete();
        }
        report(done, forceNanos);
    }

    private void report(List<Request<?>> done, long forceNanos) {
        int appends = 0;
        long bytes = 0;
        for (Request<?> r : done) {
            if (!r.isTask()) {
                appends++;
                bytes += r.batch.sizeInBytes();
            }
        }
        if (appends > 0) {
            listener.round(appends, bytes, forceNanos);
        }
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
        for (Request<?> r : written) {
            r.future.completeExceptionally(cause);
        }
        for (Request<?> r : notRun) {
            r.future.completeExceptionally(cause);
        }
        reopenAfterFailure();
    }

    private void ensureOpen() throws IOException {
        if (partition == null) {
            partition = opener.open();
            LOG.info("partition reopened after storage failure");
        }
    }

    private void reopenAfterFailure() {
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
        if (partition != null) {
            try {
                partition.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("closing partition failed", e);
            }
            partition = null;
        }
        for (Request<?> r; (r = queue.poll()) != null; ) {
            r.future.completeExceptionally(new IllegalStateException("partition log is closed"));
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

    /** One queued unit: an append or a task. Mutable result fields are writer-thread only. */
    private static final class Request<T> {
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

        void complete() {
            future.complete(result);
        }
    }
}
