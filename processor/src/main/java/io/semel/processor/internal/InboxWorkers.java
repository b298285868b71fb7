package io.semel.processor.internal;

import io.semel.processor.CrashPoints;
import io.semel.processor.ProcessorMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxRow;
import io.semel.processor.store.StoreException;
import io.semel.processor.store.StoreLimits;
import io.semel.processor.store.StoreTransaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STORE_THEN_PROCESS mode, processing side: {@code concurrency} threads, each claiming one RECEIVED
 * row per transaction, running the handler and marking it PROCESSED in that same transaction.
 *
 * <p>A failed attempt rolls back, then a separate transaction adds one to the row's attempts (durable,
 * so the bound holds across restarts); the row is retried after a backoff (kept in memory: after a
 * restart a row is retried at once, which only spends one of its attempts sooner). The row is held
 * back in that map before the rollback releases it, so this processor's other workers leave it alone
 * until the attempt is counted and its retry time set; a processor in another process sharing the
 * store does not see the map and may run it in between (the count still holds: see {@link #failed}). After
 * {@code processAttemptsMax} failures that same transaction moves the row to FAILED with the error
 * (terminal, {@link io.semel.processor.store.InboxStatus}): workers no longer see it, the rows
 * behind it flow, the {@code semel.processor.inbox.failed} counter goes up, an ERROR is logged, and
 * {@code semel inspect inbox --status failed} shows it with its error. A row left RECEIVED at or
 * over the limit by an older version (which parked rows that way) is moved to FAILED when met.
 *
 * <p>Thread-safe: start/stop from the processor's lifecycle thread; the retry map is concurrent.
 */
public final class InboxWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(InboxWorkers.class);
    /** How long an idle worker sleeps before looking again when nobody wakes it, ms. */
    static final long IDLE_WAIT_MS = 200;
    /** Retry backoff after a failed attempt: 50 ms doubling per attempt, capped, ms. */
    static final long RETRY_BACKOFF_MS = 50;
    static final long RETRY_BACKOFF_MAX_MS = 5_000;
    /** The retry time of a row whose failed attempt is not counted yet: {@link #failed} replaces it. */
    private static final long HELD_UNTIL_COUNTED = Long.MAX_VALUE;

    private final ProcessorContext ctx;
    private final int concurrency;
    private final int processAttemptsMax;
    private final Map<String, Long> notBeforeMs = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public InboxWorkers(ProcessorContext ctx, int concurrency, int processAttemptsMax) {
        this.ctx = ctx;
        this.concurrency = concurrency;
        this.processAttemptsMax = processAttemptsMax;
    }

    public void start() {
        running = true;
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(this::loop, "semel-processor-worker-" + ctx.consumer() + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Wakes idle workers: new RECEIVED rows were committed. Any thread. */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Stops after each worker's current message; waits up to {@code timeoutMs} for each. */
    public void stop(long timeoutMs) throws InterruptedException {
        running = false;
        wake();
        for (Thread t : threads) {
            t.join(timeoutMs);
        }
    }

    private enum Result { PROCESSED, IDLE, WIDEN }

    private void loop() {
        int window = 1;
        long backoffMs = 0;
        while (running) {
            AtomicReference<InboxRow> claimed = new AtomicReference<>();
            int w = window;
            try {
                Result r = ctx.store().inTransaction(tx -> claimAndRun(tx, w, claimed));
                backoffMs = 0;
                if (r == Result.WIDEN) {
                    window = Math.min(StoreLimits.INBOX_BATCH_MAX, window * 2);
                    continue;
                }
                if (r == Result.PROCESSED) {
                    ctx.metrics().processed(1);
                    window = Math.max(1, window / 2);
                    continue;
                }
                idle();
            } catch (HandlerException e) {
                failed(claimed.get(), e.getMessage());
            } catch (StoreException e) {
                ctx.metrics().error(e.toString());
                backoffMs = Math.min(5_000, Math.max(100, backoffMs * 2));
                LOG.warn("consumer {}: worker transaction failed ({}); retrying in {} ms", ctx.consumer(),
                        e.getMessage(), backoffMs);
                sleep(backoffMs);
            } catch (RuntimeException e) {
                ctx.metrics().error(e.toString());
                LOG.error("consumer {}: worker failed unexpectedly; retrying in 1 s", ctx.consumer(), e);
                sleep(1_000);
            }
        }
    }

    /**
     * Claims up to {@code window} RECEIVED rows (locked for this transaction; on PostgreSQL other
     * workers skip them), runs the first eligible one. WIDEN when all of a full window were parked or
     * waiting for their retry time, so a wall of parked rows cannot hide newer work.
     */
    private Result claimAndRun(StoreTransaction tx, int window, AtomicReference<InboxRow> claimed)
            throws SQLException, HandlerException {
        List<InboxRow> rows = tx.receivedBatch(ctx.consumer(), window);
        long nowMs = ctx.clock().millis();
        for (InboxRow row : rows) {
            String id = row.entry().messageId();
            if (row.attempts() >= processAttemptsMax) {
                // Parked by a version without FAILED: finish the job now.
                tx.markFailed(ctx.consumer(), id, "failed " + row.attempts() + " times before FAILED existed (its "
                        + "error was not kept)", nowMs);
                ctx.metrics().inboxFailed();
                continue;
            }
            if (notBeforeMs.getOrDefault(id, 0L) > nowMs) {
                continue;
            }
            claimed.set(row);
            InboxEntry e = row.entry();
            ProcessorMessage pm = new ProcessorMessage(id, e.topic(), e.partition(), e.offset(), e.key(), e.value(),
                    e.headers(), row.attempts() + 1);
            try {
                Batches.runHandler(ctx.handler(), pm, new TxSender(tx, id, nowMs));
                Batches.executeHandlerBatches(tx, List.of());
            } catch (HandlerException failure) {
                // While this transaction still holds the row: its rollback releases the row before
                // failed() counts the attempt, and no other worker may run it again in between.
                notBeforeMs.put(id, HELD_UNTIL_COUNTED);
                throw failure;
            }
            CrashPoints.reached(CrashPoints.AFTER_WORKER_HANDLER_BEFORE_COMMIT);
            if (!tx.markProcessed(ctx.consumer(), id, nowMs)) {
                // Claimed rows are locked, so only a broken store would get here; do not apply twice.
                tx.setRollbackOnly();
                throw new IllegalStateException("inbox row " + id + " of consumer " + ctx.consumer()
                        + " was not RECEIVED when marking it PROCESSED; rolled back");
            }
            notBeforeMs.remove(id);
            return Result.PROCESSED;
        }
        return rows.size() == window && window < StoreLimits.INBOX_BATCH_MAX ? Result.WIDEN : Result.IDLE;
    }

    private void failed(InboxRow row, String error) {
        ctx.metrics().handlerFailure(error);
        if (row == null) {
            LOG.warn("consumer {}: {}", ctx.consumer(), error);
            return;
        }
        String id = row.entry().messageId();
        Counted counted;
        try {
            counted = ctx.store().inTransaction(tx -> {
                int n = tx.incrementAttempts(ctx.consumer(), id);
                return new Counted(n, n >= processAttemptsMax
                        && tx.markFailed(ctx.consumer(), id, error, ctx.clock().millis()));
            });
        } catch (HandlerException | StoreException e) {
            notBeforeMs.remove(id); // tried again at once, its attempt uncounted
            LOG.warn("consumer {}: could not count the failed attempt of {}: {}", ctx.consumer(), id, e.toString());
            return;
        }
        int attempts = counted.attempts();
        if (attempts == 0) {
            // Another worker claimed the row between this worker's rollback and its count (the claim's lock ends
            // with the handler's transaction) and already moved it out of RECEIVED: nothing left to count.
            notBeforeMs.remove(id);
            LOG.debug("consumer {}: inbox row {} is no longer RECEIVED; its failed attempt is not counted",
                    ctx.consumer(), id);
            return;
        }
        if (attempts >= processAttemptsMax) {
            notBeforeMs.remove(id);
            if (!counted.movedToFailed()) {
                // Another worker claimed the row between this worker's rollback and its count (the claim's lock
                // ends with the handler's transaction) and already moved it to FAILED: count and report it once.
                LOG.debug("consumer {}: inbox row {} was already FAILED (attempt {})", ctx.consumer(), id, attempts);
                return;
            }
            ctx.metrics().inboxFailed();
            LOG.error("consumer {}: inbox row {} ({}/{}@{}) FAILED after {} attempts (processAttemptsMax {}); it is "
                    + "no longer tried. Last error: {}. See it with 'semel inspect inbox --status failed'",
                    ctx.consumer(), id, row.entry().topic(), row.entry().partition(), row.entry().offset(), attempts,
                    processAttemptsMax, error);
        } else {
            long delayMs = Math.min(RETRY_BACKOFF_MAX_MS, RETRY_BACKOFF_MS << Math.min(20, attempts - 1));
            notBeforeMs.put(id, ctx.clock().millis() + delayMs);
            LOG.warn("consumer {}: attempt {} of {} failed ({}); retrying in {} ms", ctx.consumer(), attempts, id,
                    error, delayMs);
        }
    }

    private void idle() {
        synchronized (wake) {
            try {
                wake.wait(IDLE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failed attempt counted: the row's attempts now, and whether this transaction moved it to FAILED. */
    private record Counted(int attempts, boolean movedToFailed) {
    }
}
