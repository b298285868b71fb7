package io.semel.kafka;

import io.semel.processor.outbox.RelayDivergedException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreLock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the store's outbox to Kafka exactly once for {@code read_committed} readers, across relay
 * crashes and restarts: a transactional producer with the stable id {@code semel-relay-<name>}; each
 * pass is one Kafka transaction holding the oldest unsent outbox rows, in id order, plus a progress
 * record {@code (store, previous last id, last id)} on a compacted topic. A new session fences older
 * ones ({@code initTransactions}), reads the progress and reconciles the store with it; any
 * disagreement stops the relay with {@link RelayDivergedException}, never a resend. One relay is
 * active per store: it holds the store's {@value #STORE_LOCK_NAME} lock; others wait in STANDBY.
 * See {@code docs/kafka.md}.
 *
 * <p>State, and its transitions:
 * <pre>
 *   NEW      --start()-->            STANDBY
 *   STANDBY  --store lock taken-->   ACTIVE
 *   ACTIVE   --divergence-->         DIVERGED (lock released; the operator decides)
 *   any      --close()-->            STOPPED
 * </pre>
 * A failed pass (Kafka or store error, fenced, transaction timed out) stays ACTIVE: the session is
 * dropped and a new one (whose {@code initTransactions} settles the unknown outcome) runs after a backoff.
 *
 * <p>Threads: {@link #start()} runs the loop on {@code semel-kafka-relay-<name>}; {@link #runOnce()}
 * runs one pass on the caller's thread instead — one or the other. A started relay is woken from its idle
 * wait by the store's outbox-commit listener, which runs on the committing thread and only sets a flag under
 * the relay's {@code idle} monitor (never held across I/O). {@link #state()},
 * {@link #failure()} and {@link #sent()} from any thread.
 */
public final class KafkaOutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutboxRelay.class);
    /** The store lock an active relay holds. */
    public static final String STORE_LOCK_NAME = "kafka-outbox-relay";

    /** See the class comment for the transitions. */
    public enum State { NEW, STANDBY, ACTIVE, DIVERGED, STOPPED }

    private final KafkaOutboxRelayBuilder cfg;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final RelayPassCounters counters = new RelayPassCounters();
    /** The idle wait's monitor: the store's commit listener (any committing thread) and close() notify it. */
    private final Object idle = new Object();
    private boolean woken; // guarded by idle
    private JdbcStore.Subscription commits; // start/close only
    private volatile State state = State.NEW;
    private volatile RuntimeException failure;
    private StoreLock lock; // relay thread (or runOnce caller) only
    private KafkaRelaySession session;
    private Thread thread;

    KafkaOutboxRelay(KafkaOutboxRelayBuilder cfg) {
        this.cfg = cfg;
    }

    public static KafkaOutboxRelayBuilder builder(JdbcStore store, String bootstrapServers, String relayName) {
        return new KafkaOutboxRelayBuilder(store, bootstrapServers, relayName);
    }

    public synchronized KafkaOutboxRelay start() {
        if (state != State.NEW) {
            throw new IllegalStateException("relay '" + cfg.relayName + "' is " + state + "; start it only once");
        }
        state = State.STANDBY;
        // Woken by commits of outbox rows through this store object (a processor in this JVM); others are polled.
        commits = cfg.store.onOutboxCommitted(this::wake);
        thread = new Thread(this::loop, "semel-kafka-relay-" + cfg.relayName);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * One pass on the caller's thread; returns how many rows it published (0: none pending).
     *
     * @throws IllegalStateException another relay holds the store's relay lock
     * @throws RelayDivergedException the store and Kafka disagree; do not retry blindly
     */
    public int runOnce() {
        if (state == State.DIVERGED || state == State.STOPPED) {
            throw new IllegalStateException("relay '" + cfg.relayName + "' is " + state, failure);
        }
        if (lock == null) {
            Optional<StoreLock> l = cfg.store.tryLockExclusive(STORE_LOCK_NAME);
            if (l.isEmpty()) {
                state = State.STANDBY;
                throw new IllegalStateException("relay '" + cfg.relayName + "': another relay holds this store's "
                        + "relay lock '" + STORE_LOCK_NAME + "' (one active relay per store); this one waits");
            }
            lock = l.get();
            state = State.ACTIVE;
        }
        try {
            if (session == null) {
                KafkaRelaySession s = new KafkaRelaySession(cfg, counters);
                session = s;
                sessions.incrementAndGet();
                s.open();
            }
            int n = session.runOnce();
            sent.addAndGet(n);
            return n;
        } catch (RelayDivergedException e) {
            failure = e;
            state = State.DIVERGED;
            closeSession();
            releaseLock();
            throw e;
        } catch (RuntimeException e) {
            closeSession();
            throw e;
        }
    }

    private void loop() {
        long wait = cfg.backoffMs;
        while (stop.getCount() > 0) {
            try {
                clearWake(); // commits from here on are after this pass's read: they wake the idle wait below
                int n = runOnce();
                wait = cfg.backoffMs;
                if (n == 0) {
                    long t = System.nanoTime();
                    idleWait(cfg.pollIntervalMs);
                    counters.idleNanos.addAndGet(System.nanoTime() - t);
                }
            } catch (RelayDivergedException e) {
                LOG.error("relay '{}' stopped: {}", cfg.relayName, e.getMessage());
                return;
            } catch (RuntimeException e) {
                if (state == State.STANDBY) {
                    pause(cfg.standbyRetryMs);
                    continue;
                }
                if (state != State.ACTIVE) {
                    return; // stopped
                }
                LOG.warn("relay '{}': {}; new producer session in {} ms", cfg.relayName, e.toString(), wait);
                pause(wait);
                wait = Math.min(cfg.backoffMaxMs, wait * 2);
            }
        }
    }

    private void wake() {
        synchronized (idle) {
            woken = true;
            idle.notifyAll();
        }
    }

    private void clearWake() {
        synchronized (idle) {
            woken = false;
        }
    }

    /** Until woken (an outbox commit, or close) or {@code ms} passed. */
    private void idleWait(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        synchronized (idle) {
            try {
                for (long left = ms; !woken && stop.getCount() > 0 && left > 0;
                        left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                    idle.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void pause(long ms) {
        try {
            stop.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public State state() {
        return state;
    }

    /** The divergence that stopped the relay, or null. */
    public RuntimeException failure() {
        return failure;
    }

    /** Rows published by this relay object's passes (not counting rows marked after a crash). */
    public long sent() {
        return sent.get();
    }

    /** Where this relay's passes spent their time so far. */
    public RelayPassStats passStats() {
        return counters.snapshot();
    }

    /** Producer sessions opened (1 + one per failed pass). */
    public long sessions() {
        return sessions.get();
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException e) {
                LOG.warn("relay '{}': closing the producer failed: {}", cfg.relayName, e.toString());
            }
            session = null;
        }
    }

    private void releaseLock() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /** Stops the loop (waiting for the current pass), closes the producer and releases the store lock. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
            stop.countDown();
            if (commits != null) {
                commits.close();
            }
        }
        wake();
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeSession();
        releaseLock();
        if (state != State.DIVERGED) {
            state = State.STOPPED;
        }
    }
}
