package io.semel.client.internal;

import io.semel.client.BufferFullException;
import io.semel.client.ClientClosedException;
import io.semel.client.DefiniteFailureException;
import io.semel.client.FatalProducerException;
import io.semel.client.ProducerStats;
import io.semel.client.SemelException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.ReleaseProducer;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's thread and its I/O: a buffer of accepted records shared with caller threads
 * ({@link RecordAccumulator}), and one sender thread that runs INIT_PRODUCER ({@link ProducerSession}),
 * asks the {@link SendEngine} what to send, writes the PRODUCE requests and hands every answer
 * back to it. What a batch's answer means is decided by {@link BatchDecisions}, not here.
 *
 * <p>Threads. Caller threads only add to {@link #accumulator} and wait on {@link #changed}. The
 * connection's reader thread only posts answers to {@link #events}. Everything else (partition
 * state, sequences, retries, completing futures) belongs to the sender thread alone.
 *
 * <p>Lock. {@link #lock} guards queues, counters and flags; it is never held across I/O or while
 * completing a future. Futures are completed on the sender thread: continuations that block stall
 * the producer, so use the {@code *Async} variants for slow work.
 */
public final class Sender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ProducerConfig cfg;
    private final BrokerChannel channel;

    // ---- shared, guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition changed = lock.newCondition();
    private final RecordAccumulator accumulator;
    private final Map<String, List<CompletableFuture<Void>>> initWaiters = new HashMap<>();
    private int outstanding;
    private int flushers;
    private boolean closing;
    private boolean forceClose;
    private boolean stopped;
    private FatalProducerException fatal;
    private volatile Thread thread;

    // ---- posted by other threads, run by the sender
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();

    // ---- sender-owned (session ids and sequences are readable from any thread)
    private final NanoClock clock;
    private final ProducerSession session;
    private final BatchOutcomes outcomes;
    private final SendEngine engine;

    public Sender(ProducerConfig cfg, BrokerChannel channel, NanoClock clock) {
        this.cfg = cfg;
        this.channel = channel;
        this.clock = clock;
        this.session = new ProducerSession(cfg.name(), ProducerSession.newInstanceToken());
        this.outcomes = new BatchOutcomes(cfg.name());
        this.accumulator = new RecordAccumulator(cfg, outcomes::fail);
        this.engine = new SendEngine(cfg, session, outcomes, clock, this::setFatal);
    }

    public void start(Thread t) {
        thread = t;
        t.start();
    }

    public ProducerStats stats() {
        return outcomes.stats();
    }

    // =====================================================================================
    // Caller side
    // =====================================================================================

    /**
     * Accepts a record; blocks up to maxBlockMs for room in the buffer.
     *
     * @throws SemelException the record was not accepted (closed, fatal, buffer full)
     */
    public void append(TopicPartition tp, PendingRecord rec) {
        append(tp, rec, null);
    }

    /**
     * {@link #append(TopicPartition, PendingRecord)}, and marks what is queued for {@code full} as a
     * full batch that need not linger (the keyless partitioner left it because this record did not fit).
     *
     * @param full a partition of the same topic, or null
     */
    public void append(TopicPartition tp, PendingRecord rec, TopicPartition full) {
        boolean onSender = Thread.currentThread() == thread;
        boolean clean;
        lock.lock();
        try {
            long waitNanos = TimeUnit.MILLISECONDS.toNanos(cfg.maxBlockMs());
            while (true) {
                refuseIfUnusable();
                if (outstanding < cfg.bufferedRecordsMax()) {
                    break;
                }
                // Waiting on the sender thread for the sender thread would never end.
                if (onSender || waitNanos <= 0) {
                    throw new BufferFullException("producer buffer full: " + outstanding + " unconfirmed records "
                            + "(bufferedRecordsMax " + cfg.bufferedRecordsMax() + ") after waiting "
                            + (onSender ? "0 ms (called from a send callback)" : cfg.maxBlockMs() + " ms (maxBlockMs)")
                            + "; nothing was sent; slow down or raise bufferedRecordsMax");
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
            outstanding++;
            accumulator.add(tp, rec);
            if (full != null) {
                accumulator.markFull(full);
            }
            wake.signal();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DefiniteFailureException(ErrorCode.NONE, true, "interrupted while waiting for buffer room; "
                    + "nothing was sent", e);
        } finally {
            lock.unlock();
        }
    }

    private void refuseIfUnusable() {
        if (fatal != null) {
            throw FatalProducerException.of(fatal.errorCode(), "producer '" + cfg.name()
                    + "' refuses sends after a fatal error: " + fatal.getMessage());
        }
        if (closing || stopped) {
            throw new ClientClosedException("producer '" + cfg.name() + "' is closed; nothing was sent");
        }
    }

    /** The producer's clock, which stamps accepted records (delivery timeout, linger). */
    public long nanoTime() {
        return clock.nanoTime();
    }

    public long producerId() {
        return session.producerId();
    }

    public short producerEpoch() {
        return session.epoch();
    }

    /** Asks the sender to run INIT_PRODUCER for {@code topic} (if not done) and returns the sequences. */
    public Map<Integer, Long> initialSequences(String topic, long timeoutMs) {
        Map<Integer, Long> s = session.highestSequences(topic);
        if (s != null) {
            return s;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        lock.lock();
        try {
            refuseIfUnusable();
            initWaiters.computeIfAbsent(topic, k -> new ArrayList<>()).add(f);
            wake.signal();
        } finally {
            lock.unlock();
        }
        try {
            f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new DefiniteFailureException(ErrorCode.TIMEOUT, true, "INIT_PRODUCER for topic '" + topic
                    + "' did not complete within " + timeoutMs + " ms", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw Connection.unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DefiniteFailureException(ErrorCode.NONE, true, "interrupted during INIT_PRODUCER", e);
        }
        return session.highestSequences(topic);
    }

    /** Waits until every accepted record is confirmed or failed. */
    public void flush() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("flush() from a send callback would wait for itself");
        }
        lock.lock();
        try {
            flushers++;
            wake.signal();
            while (outstanding > 0 && !stopped) {
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flushers--;
            lock.unlock();
        }
    }

    /**
     * Stops accepting records, sends what is buffered for up to {@code timeoutMs}, then fails the
     * rest: unsent with {@link ClientClosedException}, sent but unconfirmed with
     * {@link OutcomeUnknownException}.
     */
    public void close(long timeoutMs) {
        boolean onSender = Thread.currentThread() == thread;
        boolean clean;
        lock.lock();
        try {
            closing = true;
            wake.signal();
            long waitNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!onSender && outstanding > 0 && !stopped && waitNanos > 0) {
                waitNanos = changed.awaitNanos(waitNanos);
            }
            if (outstanding > 0) {
                forceClose = true;
            }
            clean = !forceClose;
            wake.signal();
        } catch (InterruptedException e) {
            forceClose = true;
            clean = false;
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (onSender) {
            return;
        }
        if (clean && cfg.releaseOnClose()) {
            // The sender releases the registration as its last request (see run); let it finish first.
            joinSender(cfg.connection().connectTimeoutMs() + cfg.connection().requestTimeoutMs() + 1_000L);
        }
        // Unblocks a sender waiting on the network; in-flight answers turn into unknown outcomes.
        channel.close();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void joinSender(long timeoutMs) {
        try {
            thread.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * RELEASE_PRODUCER, the sender's last request after a clean close (nothing outstanding). Even with
     * batches unconfirmed it would be safe: the broker answers a late copy of them UNKNOWN_PRODUCER.
     */
    private void releaseIdentity() {
        try {
            ReleaseProducer.Response r = channel.call(new ReleaseProducer.Request(cfg.name(), session.epoch()),
                    ReleaseProducer.Response.class, 0);
            if (r.error() != ErrorCode.NONE) {
                log.warn("producer '{}' could not release its registration: {} {}; the broker expires it after its "
                        + "producerIdleExpiryMs", cfg.name(), r.error(), r.errorMessage());
            } else {
                log.debug("producer '{}' released its registration: {}", cfg.name(), r.outcome());
            }
        } catch (SemelException e) {
            log.warn("producer '{}' could not release its registration ({}); the broker expires it after its "
                    + "producerIdleExpiryMs", cfg.name(), e.getMessage());
        }
    }

    private boolean closedCleanly() {
        lock.lock();
        try {
            return closing && !forceClose && outstanding == 0;
        } finally {
            lock.unlock();
        }
    }

    private void post(Runnable event) {
        events.add(event);
        lock.lock();
        try {
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    // =====================================================================================
    // Sender thread
    // =====================================================================================

    @Override
    public void run() {
        try {
            loop();
        } catch (RuntimeException | Error e) {
            log.error("producer '{}' sender thread failed; failing everything pending", cfg.name(), e);
            lock.lock();
            try {
                forceClose = true;
            } finally {
                lock.unlock();
            }
            abortAll(new ClientClosedException("producer sender failed: " + e));
        } finally {
            if (cfg.releaseOnClose() && session.producerId() >= 0 && closedCleanly()) {
                releaseIdentity();
            }
            channel.close();
            lock.lock();
            try {
                stopped = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            flushCompletions();
        }
    }

    private void loop() {
        while (true) {
            Runnable event;
            while ((event = events.poll()) != null) {
                event.run();
            }
            flushCompletions();
            long now = clock.nanoTime();
            List<ProducerBatch> toSend = List.of();
            String initTopic = null;
            SemelException abort = null;
            boolean exit = false;
            lock.lock();
            try {
                if (forceClose || (closing && outstanding == 0)) {
                    abort = new ClientClosedException("producer '" + cfg.name() + "' closed before this was sent");
                    exit = true;
                } else if (fatal != null) {
                    abort = fatal;
                    if (events.isEmpty() && !closing) {
                        wake.awaitNanos(IDLE_WAIT_NANOS); // nothing to send any more; just drain late answers
                    }
                } else {
                    boolean initPending = cfg.idempotent() && needsInit();
                    if (initPending) {
                        engine.expire(accumulator); // nothing is sent until the join, but deadlines still pass
                        initTopic = engine.inFlightTotal() == 0 ? session.nextToJoin(initCandidates(), now) : null;
                    } else {
                        toSend = engine.collect(accumulator, flushers > 0 || closing, batchLimitBytes());
                    }
                    if (toSend.isEmpty() && initTopic == null && events.isEmpty()) {
                        long waitNanos = initPending ? TimeUnit.MILLISECONDS.toNanos(Math.max(1, cfg.retryBackoffMs()))
                                : engine.nextWakeNanos(accumulator, now, IDLE_WAIT_NANOS) - now;
                        wake.awaitNanos(Math.max(waitNanos, 100_000L));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exit = true;
            } finally {
                lock.unlock();
            }
            if (abort != null) {
                abortAll(abort);
                flushCompletions();
            }
            if (exit) {
                return;
            }
            if (initTopic != null) {
                initProducer(initTopic, now);
            }
            for (ProducerBatch b : toSend) {
                transmit(b);
            }
            flushCompletions();
        }
    }

    private boolean needsInit() {
        for (String t : initCandidates()) {
            if (!session.joined(t)) {
                return true;
            }
        }
        return false;
    }

    /** Topics that have queued records or INIT_PRODUCER waiters. Call with the lock held. */
    private List<String> initCandidates() {
        List<String> topics = new ArrayList<>(initWaiters.keySet());
        for (TopicPartition tp : accumulator.partitions()) {
            if (accumulator.hasRecords(tp)) {
                topics.add(tp.topic());
            }
        }
        return topics;
    }

    private int batchLimitBytes() {
        int broker = channel.maxBatchBytes();
        return broker > 0 ? Math.min(broker, RecordBatch.BATCH_BYTES_LIMIT) : RecordBatch.BATCH_BYTES_LIMIT;
    }

    private void transmit(ProducerBatch b) {
        Produce.Request req = engine.request(b, channel.settings().requestTimeoutMs());
        if (req != null) {
            channel.send(req, 0).whenComplete((resp, err) -> post(() -> engine.onAnswer(b,
                    err == null ? (Produce.Response) resp : null, err == null ? null : Connection.unwrap(err))));
        }
    }

    private void initProducer(String topic, long now) {
        InitProducer.Response r;
        SemelException failure = null;
        try {
            r = channel.call(session.request(topic), InitProducer.Response.class, 0);
            if (r.error() != ErrorCode.NONE) {
                failure = new DefiniteFailureException(r.error(), "INIT_PRODUCER for producer '" + cfg.name()
                        + "' on topic '" + topic + "' refused: " + r.error() + " (" + r.error().code() + ") "
                        + r.errorMessage());
            }
        } catch (SemelException e) {
            r = null;
            failure = e;
        }
        List<CompletableFuture<Void>> waiters;
        lock.lock();
        try {
            if (failure != null && failure.retriable()) {
                session.retryAt(topic, now + TimeUnit.MILLISECONDS.toNanos(cfg.retryBackoffMs()));
                accumulator.unsentBecause(failure.getMessage());
                log.info("INIT_PRODUCER for '{}' on '{}' failed, will retry: {}", cfg.name(), topic, failure.getMessage());
                return;
            }
            waiters = initWaiters.remove(topic);
            accumulator.unsentBecause(null);
            if (failure != null) {
                accumulator.failTopic(topic, failure);
            }
        } finally {
            lock.unlock();
        }
        if (failure == null) {
            session.joined(topic, r);
            log.info("producer '{}' initialised on '{}': id {}, epoch {}", cfg.name(), topic, session.producerId(),
                    session.epoch());
        }
        if (waiters != null) {
            for (CompletableFuture<Void> w : waiters) {
                if (failure == null) {
                    outcomes.complete(w);
                } else {
                    outcomes.fail(w, failure);
                }
            }
        }
    }

    private void setFatal(FatalProducerException e) {
        lock.lock();
        try {
            if (fatal == null) {
                fatal = e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fails everything: unsent with {@code unsent}, sent-but-unconfirmed as unknown. */
    private void abortAll(SemelException unsent) {
        List<PendingRecord> queued;
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        lock.lock();
        try {
            queued = accumulator.drainAll();
            initWaiters.values().forEach(waiters::addAll);
            initWaiters.clear();
        } finally {
            lock.unlock();
        }
        queued.forEach(r -> outcomes.fail(r, unsent));
        waiters.forEach(w -> outcomes.fail(w, unsent));
        engine.abortAll(unsent);
    }

    /** Releases buffer room for completed records, then completes their futures with no lock held. */
    private void flushCompletions() {
        if (outcomes.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            outstanding -= outcomes.takeCompletedRecords();
            assert outstanding >= 0 : "outstanding records went negative: " + outstanding;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Runnable r : outcomes.take()) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("a send callback threw; ignored", e);
            }
        }
    }
}
