package io.semel.broker.internal;

import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Produce;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The PRODUCE timeouts of one event loop: an answer not complete within its request's
 * {@code timeoutMs} is completed with TIMEOUT ("outcome unknown, retry with the same sequence"; the
 * append may still happen after it). One deadline queue swept by <b>one</b> scheduled task, instead of
 * a timer task per request (scheduling and cancelling one per PRODUCE cost the event loop a heap
 * operation each way, and a timer that captured the request kept its batch alive for the whole timeout).
 *
 * <p>Deadlines are kept in one FIFO per distinct {@code timeoutMs}: within one, deadlines never
 * decrease (a monotonic clock, one timeout), so a sweep looks at the heads only and stops at the
 * first entry neither answered nor due. Entries hold the answer future only, never the request. A
 * sweep runs every {@link #SWEEP_INTERVAL_MS} while any entry is queued, and none while the loop has
 * no PRODUCE waiting: a TIMEOUT is answered up to {@link #SWEEP_INTERVAL_MS} after its deadline.
 * Entries are bounded by the requests in flight on the loop's connections
 * ({@code maxInFlightRequestsPerConnection} each).
 *
 * <p>Not thread-safe: event-loop confined ({@link #add} and the sweep run on the loop's thread).
 */
final class ProduceDeadlines {
    /** How often queued deadlines are checked: the lateness bound of a TIMEOUT answer. */
    static final long SWEEP_INTERVAL_MS = 50;

    /** Runs a task on the event loop after a delay. */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, long delayMs);
    }

    private record Entry(long deadlineNanos, int timeoutMs, CompletableFuture<ApiResponse> answer) { }

    private final Scheduler scheduler;
    private final LongSupplier nanoTime;
    private final Map<Integer, ArrayDeque<Entry>> byTimeout = new HashMap<>();
    private boolean sweepScheduled;
    private int size;

    ProduceDeadlines(Scheduler scheduler, LongSupplier nanoTime) {
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
    }

    /** Answers {@code answer} with TIMEOUT unless it completes within {@code timeoutMs}. */
    void add(CompletableFuture<ApiResponse> answer, int timeoutMs) {
        long deadline = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        byTimeout.computeIfAbsent(timeoutMs, t -> new ArrayDeque<>()).addLast(new Entry(deadline, timeoutMs, answer));
        size++;
        if (!sweepScheduled) {
            sweepScheduled = true;
            scheduler.schedule(this::sweep, SWEEP_INTERVAL_MS);
        }
    }

    /** Entries still queued (answered ones leave at the next sweep that reaches them). */
    int size() {
        return size;
    }

    void sweep() {
        sweepScheduled = false;
        long now = nanoTime.getAsLong();
        for (Iterator<ArrayDeque<Entry>> queues = byTimeout.values().iterator(); queues.hasNext(); ) {
            ArrayDeque<Entry> queue = queues.next();
            for (Entry head = queue.peekFirst(); head != null; head = queue.peekFirst()) {
                boolean due = now - head.deadlineNanos >= 0;
                if (!head.answer.isDone() && !due) {
                    break;
                }
                queue.pollFirst();
                size--;
                if (!head.answer.isDone()) {
                    head.answer.complete(timeout(head.timeoutMs));
                }
            }
            if (queue.isEmpty()) {
                queues.remove();
            }
        }
        if (size > 0) {
            sweepScheduled = true;
            scheduler.schedule(this::sweep, SWEEP_INTERVAL_MS);
        }
    }

    private static ApiResponse timeout(int timeoutMs) {
        return Produce.Response.error(ErrorCode.TIMEOUT, "batch not durable within " + timeoutMs + " ms (timeoutMs); "
                + "outcome unknown, retry with the same sequence");
    }
}
