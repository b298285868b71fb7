package io.semel.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The forcing half of a partition's group commit ({@link GroupCommitLog}): a thread of its own takes
 * every request the appender wrote since the last force, forces the segment once for all of them, and
 * only then confirms them. While it forces, the appender goes on writing, so the next force covers
 * everything written while this one ran (group commit without a writer idling in {@code fsync}).
 *
 * <p>State machine; every transition is in this class, under {@link #lock}:
 * <pre>
 *   IDLE ──handOver──▶ FORCING ──force returned, group confirmed──▶ IDLE
 *                         └──────force threw, group failed──────▶ FAILED ──reset (partition reopened)──▶ IDLE
 *   IDLE, FAILED ──stop──▶ STOPPED
 * </pre>
 * A request handed over is confirmed only after a force that began after its write returned
 * ({@link StorageFile#force()}); a failed force fails its group <em>and</em> everything handed over
 * while it ran (their bytes may sit above a lost page), and refuses further hand-overs until the
 * appender has reopened the partition through recovery ({@link #reset}).
 *
 * <p>Bounds: while a force runs, at most {@link #waitingRequestsMax} requests and
 * {@link #waitingBytesMax} bytes wait for the next one; {@link #handOver} blocks the appender beyond
 * that (it then stops draining its queue, which fills and answers THROTTLED), so memory and the
 * size of one fsync stay bounded.
 *
 * <p>Thread-safe: {@link #handOver}, {@link #awaitIdle}, {@link #reset}, {@link #flushedBySelf} and
 * {@link #stop} are called by the appender (one thread); the flusher thread runs {@link #run}. The
 * lock is never held across a force or while futures are completed.
 */
final class Flusher {
    enum State { IDLE, FORCING, FAILED, STOPPED }

    /** A request the appender has written (or answered) and that waits for a force covering it. */
    interface Pending {
        /** Completes the request successfully; only after a force covering everything written before it. */
        void confirm();

        void fail(Throwable cause);

        /** Whether it is an append (duplicates included), for the round listener. */
        boolean isAppend();

        /** The bytes of its batch, for the round listener (0 for a task). */
        long batchBytes();
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** The flusher waits on it for work or stop. */
    private final Condition handedOver = lock.newCondition();
    /** The appender waits on it for room, for idleness. */
    private final Condition progressed = lock.newCondition();
    private final int waitingRequestsMax;
    private final long waitingBytesMax;
    private final GroupCommitLog.RoundListener listener;
    /** Told the durable end offset after each successful force, before the group is confirmed. */
    private final LongConsumer onForced;
    /** Told after a failed force and its failures (the appender may be idle: wake it to close the partition). */
    private final Runnable afterFailure;
    private final Thread thread;

    // Guarded by lock.
    private List<Pending> waiting = new ArrayList<>();
    private long waitingBytes;
    private PartitionLog.PendingForce target;
    private State state = State.IDLE;
    private IOException failure;
    private long forcedOffset;

    Flusher(int waitingRequestsMax, long waitingBytesMax, GroupCommitLog.RoundListener listener,
            LongConsumer onForced, Runnable afterFailure, ThreadFactory threads, String appenderName) {
        this.waitingRequestsMax = waitingRequestsMax;
        this.waitingBytesMax = waitingBytesMax;
        this.listener = listener;
        this.onForced = onForced;
        this.afterFailure = afterFailure;
        this.thread = threads.newThread(this::run);
        thread.setName(appenderName + "-flush");
    }

    /** Starts the thread; offsets below {@code durableOffset} need no force. */
    void start(long durableOffset) {
        forcedOffset = durableOffset;
        thread.start();
    }

    /**
     * Hands over requests written up to {@code force}'s offset. Blocks while the requests and bytes
     * waiting for the next force are at their bounds.
     *
     * @return false when the flusher failed (or stopped) and took nothing: the caller fails them
     */
    boolean handOver(List<? extends Pending> group, PartitionLog.PendingForce force) {
        long bytes = 0;
        for (Pending p : group) {
            bytes += p.batchBytes();
        }
        lock.lock();
        try {
            // An empty waiting list always takes the group, however large: progress before bounds.
            while (!waiting.isEmpty() && (state == State.IDLE || state == State.FORCING)
                    && (waiting.size() + group.size() > waitingRequestsMax || waitingBytes + bytes > waitingBytesMax)) {
                progressed.awaitUninterruptibly();
            }
            if (state == State.FAILED || state == State.STOPPED) {
                return false;
            }
            waiting.addAll(group);
            waitingBytes += bytes;
            target = force;
            handedOver.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until everything handed over was forced and confirmed (or failed).
     *
     * @return the failure of the last force if it failed (the state is then FAILED), else null
     */
    IOException awaitIdle() {
        lock.lock();
        try {
            while (!waiting.isEmpty() || state == State.FORCING) {
                progressed.awaitUninterruptibly();
            }
            return state == State.FAILED ? failure : null;
        } finally {
            lock.unlock();
        }
    }

    /** The failure of a force not yet {@link #reset}, or null. */
    IOException failure() {
        lock.lock();
        try {
            return state == State.FAILED ? failure : null;
        } finally {
            lock.unlock();
        }
    }

    /** Every offset below this is durable by a force this flusher ran (or was told of). */
    long forcedOffset() {
        lock.lock();
        try {
            return forcedOffset;
        } finally {
            lock.unlock();
        }
    }

    /** FAILED → IDLE once the appender reopened the partition, durable below {@code durableOffset}. */
    void reset(long durableOffset) {
        lock.lock();
        try {
            assert waiting.isEmpty() && state != State.FORCING : "reset while " + state;
            if (state == State.FAILED) {
                state = State.IDLE;
                failure = null;
            }
            forcedOffset = durableOffset;
        } finally {
            lock.unlock();
        }
    }

    /** The appender forced the partition itself (a full flush while this was idle) up to {@code offset}. */
    void flushedBySelf(long offset) {
        lock.lock();
        try {
            assert waiting.isEmpty() && state != State.FORCING : "self flush while " + state;
            forcedOffset = Math.max(forcedOffset, offset);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for idleness, then ends the thread; handOver refuses from now on. */
    void stop() {
        awaitIdle();
        lock.lock();
        try {
            state = State.STOPPED;
            handedOver.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (forceNext()) {
                // next group
            }
        } catch (Throwable t) {
            // Should not happen (a force's failure is handled); never leave the appender waiting forever.
            List<Pending> lost;
            lock.lock();
            try {
                state = State.STOPPED;
                failure = t instanceof IOException io ? io : new IOException("partition flusher died", t);
                lost = takeWaiting();
                progressed.signalAll();
            } finally {
                lock.unlock();
            }
            lost.forEach(p -> p.fail(t));
        }
    }

    /** Takes the waiting group, forces once, confirms or fails it; false once stopped. */
    private boolean forceNext() {
        List<Pending> group;
        PartitionLog.PendingForce force;
        long alreadyForced;
        lock.lock();
        try {
            while (waiting.isEmpty() && state != State.STOPPED) {
                handedOver.awaitUninterruptibly();
            }
            if (waiting.isEmpty()) {
                return false;
            }
            group = takeWaiting();
            force = target;
            target = null;
            alreadyForced = forcedOffset;
            state = State.FORCING;
            progressed.signalAll(); // room for the appender's next group
        } finally {
            lock.unlock();
        }
        long forceNanos = 0;
        try {
            // Nothing new since the last force (a group of reads or duplicates): it covers them already.
            if (force.offset() > alreadyForced) {
                long before = System.nanoTime();
                force.force();
                forceNanos = Math.max(1, System.nanoTime() - before);
            }
        } catch (IOException | RuntimeException e) {
            failed(group, e);
            return true;
        }
        onForced.accept(force.offset());
        lock.lock();
        try {
            forcedOffset = Math.max(forcedOffset, force.offset());
        } finally {
            lock.unlock();
        }
        // Confirmed only now: every byte of the group was written before the force began.
        group.forEach(Pending::confirm);
        report(listener, group, forceNanos);
        lock.lock();
        try {
            state = State.IDLE;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
        return true;
    }

    private void failed(List<Pending> group, Exception e) {
        IOException cause = e instanceof IOException io ? io : new IOException("force failed: " + e, e);
        List<Pending> writtenMeanwhile;
        lock.lock();
        try {
            state = State.FAILED;
            failure = cause;
            // Written after the failed force began: above pages the kernel may have dropped. Never confirmed.
            writtenMeanwhile = takeWaiting();
            target = null;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
        group.forEach(p -> p.fail(cause));
        writtenMeanwhile.forEach(p -> p.fail(cause));
        // Wake an idle appender: it closes the partition now (readers then see it closed), not at the next request.
        afterFailure.run();
    }

    /** Tells {@code listener} of a confirmed group's appends (none: nothing to tell). */
    static void report(GroupCommitLog.RoundListener listener, List<? extends Pending> confirmed, long forceNanos) {
        int appends = 0;
        long bytes = 0;
        for (Pending p : confirmed) {
            if (p.isAppend()) {
                appends++;
                bytes += p.batchBytes();
            }
        }
        if (appends > 0) {
            listener.round(appends, bytes, forceNanos);
        }
    }

    private List<Pending> takeWaiting() {
        List<Pending> taken = waiting;
        waiting = new ArrayList<>();
        waitingBytes = 0;
        return taken;
    }
}
