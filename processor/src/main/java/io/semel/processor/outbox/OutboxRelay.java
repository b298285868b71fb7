package io.semel.processor.outbox;

import io.semel.processor.CrashPoints;
import io.semel.client.Producer;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxAssignment;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.OutboxRow;
import io.semel.protocol.Header;
import java.util.ArrayList;
import java.util.List;
import io.semel.processor.store.StoreLimits;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows, in id order, with a durable producer identity, so the broker's sequence
 * dedup covers relay retries and relay restarts: every committed outbox row is in its topic exactly
 * once.
 *
 * <p>Row ids have gaps and are global; broker sequences are per (producer, partition) and must be
 * contiguous. So before sending, the relay gives each unsent row, in id order, a partition
 * (murmur2 of the key, round-robin for null keys) and the next sequence of that partition, and
 * <b>commits</b> those assignments in the store. Then it sends with those sequences, waits for the
 * broker's confirmations, and marks the rows sent. A restart resends assigned-but-unsent rows with
 * the same (partition, sequence): the broker answers duplicate or appends. Each producer session
 * first reconciles with the broker's next sequence per partition ({@link RelayDivergedException}
 * when the two cannot both be right). See docs/processor.md, "Outbox relay".
 *
 * <p><b>Poison rows.</b> A row the broker refuses for a reason of its own (too large, unknown or
 * invalid topic: {@link RelayRowException#ROW_CODES}) would otherwise be retried forever and hold
 * every row behind it. Each such refusal is counted on the row ({@code attempts}, durable); at
 * {@code sendAttemptsMax} the row is marked FAILED with the error, a copy goes to
 * {@code <topic>.dlq} as a new outbox row (headers {@code semel.dlq.*}; the value is left out when
 * the refusal was its size; no copy for a row that was itself going to a dead-letter topic), and
 * the sequences it and the rows behind it held on its partition are released, so those rows are
 * assigned again without a gap. This happens only after INIT_PRODUCER shows that the broker does
 * not hold the row's sequence. Failed rows are counted in {@link Stats#failed()} and listed by
 * {@code semel inspect inbox} with their error.
 *
 * <p>One relay per store (one relay name). Threads: {@link #start()} runs the loop on one thread
 * named {@code semel-outbox-relay-<name>}; {@link #runOnce()} runs one pass on the caller's thread
 * instead — use one or the other. {@link #stats()} and {@link #failure()} are safe from any thread.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    /** Crash point: assignments committed, nothing of the batch sent yet. */
    public static final String CRASH_AFTER_ASSIGN_BEFORE_SEND = CrashPoints.RELAY_AFTER_ASSIGN_BEFORE_SEND;
    /** Crash point: the batch confirmed by the broker, rows not yet marked sent. */
    public static final String CRASH_AFTER_SEND_BEFORE_MARK_SENT = CrashPoints.RELAY_AFTER_SEND_BEFORE_MARK_SENT;
    static final String DLQ_SUFFIX = ".dlq";
    /** Message id of a failed row's dead-letter copy: the row's id plus this. */
    static final String DLQ_ID_SUFFIX = "/dlq";
    static final String DLQ_REASON_HEADER = "semel.dlq.reason";
    static final String DLQ_ERROR_HEADER = "semel.dlq.error";
    static final String DLQ_TOPIC_HEADER = "semel.dlq.topic";
    static final String DLQ_OUTBOX_ID_HEADER = "semel.dlq.outbox-id";
    /** Set (to the value's size in bytes) when the copy leaves the value out because it was too large. */
    static final String DLQ_VALUE_OMITTED_HEADER = "semel.dlq.value-omitted-bytes";

    /** Header carrying the outbox row's deterministic message id (added unless the row has one). */
    public static final String MESSAGE_ID_HEADER = "semel.id";

    /** Counters since the relay was built. */
    public record Stats(long assigned, long sent, long duplicates, long alreadyInLog, long sessions, long errors,
            long failed) {
    }

    private final JdbcStore store;
    private final Function<String, Producer> producers;
    private final String relayName;
    private final int relayBatchMax;
    private final long pollIntervalMs;
    private final long backoffMs;
    private final long backoffMaxMs;
    private final long sendTimeoutMs;
    private final int sendAttemptsMax;
    private final Clock clock;
    private final CrashPoints.Hook crash;
    private final RelayStats stats = new RelayStats();
    private final CountDownLatch stop = new CountDownLatch(1);
    private RelaySession session; // relay thread (or runOnce caller) only
    private Thread thread;
    private volatile Throwable failure;

    private OutboxRelay(Builder b, CrashPoints.Hook crash) {
        this.store = b.store;
        this.producers = b.producers;
        this.relayName = b.relayName;
        this.relayBatchMax = b.relayBatchMax;
        this.pollIntervalMs = b.pollIntervalMs;
        this.backoffMs = b.backoffMs;
        this.backoffMaxMs = b.backoffMaxMs;
        this.sendTimeoutMs = b.sendTimeoutMs;
        this.sendAttemptsMax = b.sendAttemptsMax;
        this.clock = b.clock;
        this.crash = crash;
    }

    /** A relay over {@code store} publishing to the broker at {@code bootstrap} ({@code host:port}). */
    public static Builder builder(JdbcStore store, String bootstrap) {
        Objects.requireNonNull(bootstrap, "bootstrap");
        return new Builder(store, name -> Producer.builder(bootstrap).durable(name).clientId(name).build());
    }

    /**
     * A relay whose producers come from {@code producers} (given the relay name); each must be built
     * with {@code durable(relayName)}. A new one is built after every failure.
     */
    public static Builder builder(JdbcStore store, Function<String, Producer> producers) {
        return new Builder(store, producers);
    }

    /** Starts the relay thread. */
    public synchronized OutboxRelay start() {
        if (thread != null) {
            throw new IllegalStateException("relay '" + relayName + "' already started");
        }
        thread = new Thread(this::loop, "semel-outbox-relay-" + relayName);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * One pass on the caller's thread: publishes at most relayBatchMax of the oldest unsent rows and
     * returns how many were marked sent (0: nothing pending). On an error the producer session is
     * discarded (the next call starts a new one) and the error is thrown.
     *
     * @throws RelayDivergedException the store and the broker disagree; do not retry blindly
     */
    public int runOnce() {
        if (session == null) {
            session = new RelaySession(store, producers.apply(relayName), relayName, relayBatchMax, sendTimeoutMs, clock,
                    crash, stats);
            stats.sessions.incrementAndGet();
        }
        try {
            return session.runOnce();
        } catch (RelayRowException e) {
            stats.errors.incrementAndGet();
            closeSession();
            refused(e);
            throw e;
        } catch (RuntimeException e) {
            stats.errors.incrementAndGet();
            closeSession();
            throw e;
        }
    }

    /** Counts a row's refusal; at sendAttemptsMax fails and dead-letters it (see the class comment). */
    private void refused(RelayRowException e) {
        OutboxRow row = e.row();
        int attempts = store.recordOutboxFailure(row.id(), e.getMessage());
        if (attempts < sendAttemptsMax) {
            log.warn("relay '{}': outbox row {} refused ({}), attempt {} of {}", relayName, row.id(), e.code(), attempts,
                    sendAttemptsMax);
            return;
        }
        if (row.assignment().isPresent() && brokerHolds(row.assignment().get())) {
            log.info("relay '{}': outbox row {} is in the log after all; the next pass marks it sent", relayName,
                    row.id());
            return;
        }
        store.failOutbox(relayName, row.id(), e.getMessage(), clock.millis(), deadLetter(row, e));
        stats.failed.incrementAndGet();
        log.error("relay '{}': outbox row {} ({} to {}) FAILED after {} attempts (sendAttemptsMax {}): {}. {}",
                relayName, row.id(), row.message().messageId(), row.message().topic(), attempts, sendAttemptsMax,
                e.getMessage(), isDeadLetterTopic(row.message().topic()) ? "It was bound for a dead-letter topic: kept "
                        + "in the outbox only" : "A copy goes to " + row.message().topic() + DLQ_SUFFIX);
    }

    /** Whether the broker has the row's sequence (then it must not be released). A fresh session asks. */
    private boolean brokerHolds(OutboxAssignment a) {
        try (Producer p = producers.apply(relayName)) {
            return p.nextSequence(a.topic(), a.partition()) > a.sequence();
        }
    }

    private OutboxMessage deadLetter(OutboxRow row, RelayRowException e) {
        OutboxMessage m = row.message();
        if (isDeadLetterTopic(m.topic())) {
            return null;
        }
        List<Header> headers = new ArrayList<>(m.headers());
        headers.add(Header.of(DLQ_REASON_HEADER, "outbox-send-failed"));
        headers.add(Header.of(DLQ_ERROR_HEADER, e.getMessage()));
        headers.add(Header.of(DLQ_TOPIC_HEADER, m.topic()));
        headers.add(Header.of(DLQ_OUTBOX_ID_HEADER, Long.toString(row.id())));
        byte[] value = m.value();
        if (e.code() == io.semel.protocol.ErrorCode.MESSAGE_TOO_LARGE && value != null) {
            // The copy would be refused for the same reason: keep what explains it, not the bytes.
            headers.add(Header.of(DLQ_VALUE_OMITTED_HEADER, Integer.toString(value.length)));
            value = null;
        }
        return new OutboxMessage(m.topic() + DLQ_SUFFIX, m.key(), value, headers, m.messageId() + DLQ_ID_SUFFIX,
                clock.millis());
    }

    private static boolean isDeadLetterTopic(String topic) {
        return topic.endsWith(DLQ_SUFFIX);
    }

    private void loop() {
        long wait = backoffMs;
        while (stop.getCount() > 0) {
            try {
                int n = runOnce();
                wait = backoffMs;
                if (n == 0) {
                    pause(pollIntervalMs);
                }
            } catch (RelayDivergedException e) {
                failure = e;
                log.error("relay '{}' stopped: {}", relayName, e.getMessage());
                return;
            } catch (RuntimeException e) {
                log.warn("relay '{}': {}; retrying in {} ms with a new producer session", relayName, e.toString(), wait);
                pause(wait);
                wait = Math.min(backoffMaxMs, wait * 2);
            }
        }
    }

    private void pause(long ms) {
        try {
            stop.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.countDown();
        }
    }

    private void closeSession() {
        RelaySession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
    }

    public Stats stats() {
        return stats.snapshot();
    }

    /** Why the relay thread stopped on its own ({@link RelayDivergedException}), if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    public String relayName() {
        return relayName;
    }

    /**
     * Stops the thread after its current pass (a pass in flight finishes or fails; either way
     * nothing is lost: unsent rows are resent by the next relay) and closes the producer. Idempotent.
     */
    @Override
    public void close() {
        stop.countDown();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(sendTimeoutMs + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeSession();
    }

    /** Settings with units in their names. Not thread-safe. */
    public static final class Builder {
        private final JdbcStore store;
        private final Function<String, Producer> producers;
        private String relayName = "semel-outbox-relay";
        private int relayBatchMax = 500;
        private long pollIntervalMs = 50;
        private long backoffMs = 100;
        private long backoffMaxMs = 5_000;
        private long sendTimeoutMs = 60_000;
        private int sendAttemptsMax = 5;
        private Clock clock = Clock.systemUTC();
        private CrashPoints.Hook crash = CrashPoints.SYSTEM;

        private Builder(JdbcStore store, Function<String, Producer> producers) {
            this.store = Objects.requireNonNull(store, "store");
            this.producers = Objects.requireNonNull(producers, "producers");
        }

        /** The durable producer name (its broker sequences); stable across restarts. */
        public Builder relayName(String v) {
            relayName = Objects.requireNonNull(v, "relayName");
            return this;
        }

        /** Rows per pass, 1..{@link StoreLimits#OUTBOX_BATCH_MAX}; default 500. */
        public Builder relayBatchMax(int v) {
            if (v < 1 || v > StoreLimits.OUTBOX_BATCH_MAX) {
                throw new IllegalArgumentException("relayBatchMax " + v + " out of range 1..OUTBOX_BATCH_MAX "
                        + StoreLimits.OUTBOX_BATCH_MAX);
            }
            relayBatchMax = v;
            return this;
        }

        /** Wait after a pass that found nothing to send, ms; default 50. */
        public Builder pollIntervalMs(long v) {
            pollIntervalMs = positive("pollIntervalMs", v);
            return this;
        }

        /** First wait after an error, doubling up to {@code maxMs}; defaults 100 and 5,000 ms. */
        public Builder backoffMs(long initialMs, long maxMs) {
            backoffMs = positive("backoffMs", initialMs);
            if (maxMs < initialMs) {
                throw new IllegalArgumentException("backoff max " + maxMs + " ms is below the initial " + initialMs
                        + " ms");
            }
            backoffMaxMs = maxMs;
            return this;
        }

        /** How long one pass waits for the broker's confirmations, ms; default 60,000. */
        public Builder sendTimeoutMs(long v) {
            sendTimeoutMs = positive("sendTimeoutMs", v);
            return this;
        }

        /**
         * Refusals of one row for a reason of its own (too large, unknown topic) before it is marked
         * FAILED and dead-lettered; default 5. Transient errors (broker down, timeouts) never count.
         */
        public Builder sendAttemptsMax(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("sendAttemptsMax must be >= 1, was " + v);
            }
            sendAttemptsMax = v;
            return this;
        }

        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * What to call at the relay's crash points; default {@link CrashPoints#SYSTEM} (halts when
         * enabled by {@value CrashPoints#PROPERTY}). A test seam: in-process tests throw instead.
         */
        public Builder crashHook(CrashPoints.Hook v) {
            crash = Objects.requireNonNull(v);
            return this;
        }

        public OutboxRelay build() {
            return new OutboxRelay(this, crash);
        }

        private static long positive(String name, long v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, was " + v);
            }
            return v;
        }
    }
}
