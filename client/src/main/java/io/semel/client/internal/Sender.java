package io.semel.client.internal;

import io.semel.client.BufferFullException;
import io.semel.client.ClientClosedException;
import io.semel.client.DefiniteFailureException;
import io.semel.client.FatalProducerException;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.ProducerStats;
import io.semel.client.SemelException;
import io.semel.client.SendResult;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's engine: a buffer of accepted records shared with caller threads, and one sender
 * thread that batches them, sends PRODUCE requests and handles every answer.
 *
 * <p>Threads. Caller threads only append to {@link #queues} and wait on {@link #changed}. The
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
    private final Map<TopicPartition, ArrayDeque<PendingRecord>> queues = new LinkedHashMap<>();
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

    // ---- sender-owned
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private final Map<String, Long> initRetryAtNanos = new HashMap<>();
    private final List<Runnable> completions = new ArrayList<>();
    private int completedRecords;
    private int inFlightTotal;
    /** Written by the sender thread only; volatile so that callers of {@link #producerId()} see it. */
    private volatile long producerId = RecordBatch.NO_PRODUCER_ID;
    /** Written by the sender thread only; volatile for {@link #producerEpoch()}. */
    private volatile short epoch = RecordBatch.NO_PRODUCER_EPOCH;
    /** Written by the sender, read by callers of {@link #initialSequences}: topic → partition → highest. */
    private final Map<String, Map<Integer, Long>> sessions = new ConcurrentHashMap<>();

    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();

    public Sender(ProducerConfig cfg, BrokerChannel channel) {
        this.cfg = cfg;
        this.channel = channel;
    }

    public void start(Thread t) {
        thread = t;
        t.start();
    }

    public ProducerStats stats() {
        return new ProducerStats(confirmed.get(), duplicates.get(), failed.get(), unknown.get());
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
        boolean onSender = Thread.currentThread() == thread;
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
            queues.computeIfAbsent(tp, k -> new ArrayDeque<>()).add(rec);
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
            throw new FatalProducerException(fatal.errorCode(), "producer '" + cfg.name()
                    + "' refuses sends after a fatal error: " + fatal.getMessage());
        }
        if (closing || stopped) {
            throw new ClientClosedException("producer '" + cfg.name() + "' is closed; nothing was sent");
        }
    }

    public long producerId() {
        return producerId;
    }

    public short producerEpoch() {
        return epoch;
    }

    /** Asks the sender to run INIT_PRODUCER for {@code topic} (if not done) and returns the sequences. */
    public Map<Integer, Long> initialSequences(String topic, long timeoutMs) {
        Map<Integer, Long> s = sessions.get(topic);
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
        return sessions.get(topic);
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
            wake.signal();
        } catch (InterruptedException e) {
            forceClose = true;
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (onSender) {
            return;
        }
        // Unblocks a sender waiting on the network; in-flight answers turn into unknown outcomes.
        channel.close();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
            long now = System.nanoTime();
            List<ProducerBatch> toSend = new ArrayList<>();
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
                        initTopic = inFlightTotal == 0 ? pickInitTopic(now) : null;
                    } else {
                        collectRetries(now, toSend);
                        collectNew(now, toSend);
                    }
                    if (toSend.isEmpty() && initTopic == null && events.isEmpty()) {
                        wake.awaitNanos(nextWakeNanos(now, initPending));
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
        for (Map.Entry<TopicPartition, ArrayDeque<PendingRecord>> e : queues.entrySet()) {
            if (!e.getValue().isEmpty() && !sessions.containsKey(e.getKey().topic())) {
                return true;
            }
        }
        for (String t : initWaiters.keySet()) {
            if (!sessions.containsKey(t)) {
                return true;
            }
        }
        return false;
    }

    private String pickInitTopic(long now) {
        List<String> topics = new ArrayList<>(initWaiters.keySet());
        for (TopicPartition tp : queues.keySet()) {
            topics.add(tp.topic());
        }
        for (String t : topics) {
            Long at = initRetryAtNanos.get(t);
            if (!sessions.containsKey(t) && (at == null || now - at >= 0)) {
                return t;
            }
        }
        return null;
    }

    private long nextWakeNanos(long now, boolean initPending) {
        long wait = IDLE_WAIT_NANOS;
        if (initPending) {
            return TimeUnit.MILLISECONDS.toNanos(Math.max(1, cfg.retryBackoffMs()));
        }
        for (PartitionState ps : partitions.values()) {
            boolean canResend = ps.inFlight.size() < cfg.inFlightBatchesMax()
                    && (ps.inFlight.isEmpty() || !cfg.idempotent());
            if (!ps.retry.isEmpty() && canResend) {
                wait = Math.min(wait, ps.retry.get(0).retryAtNanos - now);
            }
        }
        for (Map.Entry<TopicPartition, ArrayDeque<PendingRecord>> e : queues.entrySet()) {
            PendingRecord head = e.getValue().peek();
            PartitionState ps = partitions.get(e.getKey());
            boolean blocked = ps != null && (ps.inFlight.size() >= cfg.inFlightBatchesMax() || !ps.retry.isEmpty());
            if (head != null && !blocked) {
                wait = Math.min(wait, head.enqueuedNanos() + TimeUnit.MILLISECONDS.toNanos(cfg.lingerMs()) - now);
            }
        }
        return Math.max(wait, 100_000L);
    }

    private PartitionState state(TopicPartition tp) {
        return partitions.computeIfAbsent(tp, k -> {
            Map<Integer, Long> s = sessions.get(k.topic());
            long highest = s == null ? -1 : s.getOrDefault(k.partition(), -1L);
            return new PartitionState(k, highest + 1);
        });
    }

    /** Resends: in sequence order, and (idempotent) only once nothing of the partition is in flight. */
    private void collectRetries(long now, List<ProducerBatch> toSend) {
        for (PartitionState ps : partitions.values()) {
            if (ps.retry.isEmpty() && ps.rewindTo < 0) {
                continue;
            }
            if (cfg.idempotent() && !ps.inFlight.isEmpty()) {
                continue;
            }
            // Collected first: expire() may put a batch back into ps.retry (see its Javadoc).
            List<ProducerBatch> expired = new ArrayList<>();
            for (Iterator<ProducerBatch> it = ps.retry.iterator(); it.hasNext();) {
                ProducerBatch b = it.next();
                if (!b.reported && now - b.deadlineNanos >= 0) {
                    it.remove();
                    expired.add(b);
                }
            }
            for (ProducerBatch b : expired) {
                expire(ps, b);
            }
            if (cfg.idempotent()) {
                ps.applyRewind();
            }
            while (!ps.retry.isEmpty() && ps.inFlight.size() < cfg.inFlightBatchesMax()
                    && now - ps.retry.get(0).retryAtNanos >= 0) {
                ProducerBatch b = ps.retry.remove(0);
                ps.inFlight.add(b);
                inFlightTotal++;
                toSend.add(b);
            }
        }
    }

    private void collectNew(long now, List<ProducerBatch> toSend) {
        long lingerNanos = TimeUnit.MILLISECONDS.toNanos(cfg.lingerMs());
        for (Map.Entry<TopicPartition, ArrayDeque<PendingRecord>> e : queues.entrySet()) {
            ArrayDeque<PendingRecord> q = e.getValue();
            expireQueued(q, now);
            if (q.isEmpty()) {
                continue;
            }
            PartitionState ps = state(e.getKey());
            if (!ps.retry.isEmpty() || ps.rewindTo >= 0) {
                continue; // resends go first, so sequences reach the broker in order
            }
            while (!q.isEmpty() && ps.inFlight.size() < cfg.inFlightBatchesMax()) {
                boolean lingered = now - q.peek().enqueuedNanos() >= lingerNanos;
                boolean ready = lingered || flushers > 0 || closing || bytesAtLeast(q, cfg.batchBytesMax());
                if (!ready) {
                    break;
                }
                ProducerBatch b = takeBatch(ps, q, now);
                if (b != null) {
                    ps.inFlight.add(b);
                    inFlightTotal++;
                    toSend.add(b);
                }
            }
        }
    }

    private static boolean bytesAtLeast(ArrayDeque<PendingRecord> q, int bytes) {
        long sum = RecordBatch.HEADER_BYTES;
        for (PendingRecord r : q) {
            sum += r.sizeBytes();
            if (sum >= bytes) {
                return true;
            }
        }
        return false;
    }

    private ProducerBatch takeBatch(PartitionState ps, ArrayDeque<PendingRecord> q, long now) {
        int limit = batchLimitBytes();
        PendingRecord first = q.poll();
        if (RecordBatch.HEADER_BYTES + (long) first.sizeBytes() > limit) {
            failRecord(first, new DefiniteFailureException(ErrorCode.MESSAGE_TOO_LARGE, false, "record of "
                    + first.sizeBytes() + " bytes (+" + RecordBatch.HEADER_BYTES + " batch header) exceeds the batch "
                    + "limit of " + limit + " bytes (broker maxBatchBytes / frame limit); nothing was sent", null));
            return null;
        }
        List<PendingRecord> taken = new ArrayList<>();
        taken.add(first);
        long size = RecordBatch.HEADER_BYTES + (long) first.sizeBytes();
        boolean explicit = first.sequence() >= 0;
        while (!q.isEmpty()) {
            PendingRecord next = q.peek();
            // A batch carries one base sequence, so caller-owned sequences must be contiguous in it.
            boolean contiguous = !explicit || next.sequence() == taken.get(taken.size() - 1).sequence() + 1;
            if (!contiguous || size + next.sizeBytes() > Math.min(cfg.batchBytesMax(), limit)) {
                break;
            }
            size += next.sizeBytes();
            taken.add(q.poll());
        }
        ProducerBatch b = new ProducerBatch(ps.tp, taken, explicit, System.currentTimeMillis(),
                first.enqueuedNanos() + TimeUnit.MILLISECONDS.toNanos(cfg.deliveryTimeoutMs()));
        if (cfg.idempotent() && !explicit) {
            b.baseSequence = ps.nextSequence;
            ps.nextSequence += b.size();
        }
        return b;
    }

    private int batchLimitBytes() {
        int broker = channel.maxBatchBytes();
        return broker > 0 ? Math.min(broker, RecordBatch.BATCH_BYTES_LIMIT) : RecordBatch.BATCH_BYTES_LIMIT;
    }

    private void expireQueued(ArrayDeque<PendingRecord> q, long now) {
        long timeout = TimeUnit.MILLISECONDS.toNanos(cfg.deliveryTimeoutMs());
        while (!q.isEmpty() && now - q.peek().enqueuedNanos() - timeout >= 0) {
            failRecord(q.poll(), new DefiniteFailureException(ErrorCode.NONE, true, "record waited "
                    + cfg.deliveryTimeoutMs() + " ms (deliveryTimeoutMs) without being sent; nothing was sent"
                    + " (broker unreachable or producer not initialised)", null));
        }
    }

    private void transmit(ProducerBatch b) {
        RecordBatch encoded;
        try {
            encoded = cfg.idempotent() ? b.encode(producerId, epoch) : b.encode(RecordBatch.NO_PRODUCER_ID,
                    RecordBatch.NO_PRODUCER_EPOCH);
        } catch (IllegalArgumentException e) {
            onAnswer(b, null, new DefiniteFailureException(ErrorCode.INVALID_REQUEST, false, "cannot encode batch "
                    + b.describe() + ": " + e.getMessage(), e));
            return;
        }
        b.epochSent = epoch;
        int timeoutMs = channel.settings().requestTimeoutMs();
        Produce.Request req = new Produce.Request(b.tp.topic(), b.tp.partition(), timeoutMs, encoded);
        channel.send(req, 0).whenComplete((resp, err) -> post(() -> onAnswer(b, resp, err)));
    }

    private void initProducer(String topic, long now) {
        InitProducer.Response r;
        SemelException failure = null;
        try {
            // Holding an epoch already: join the topic without a bump (a bump would fence our own
            // batches in flight on other topics).
            r = channel.call(new InitProducer.Request(cfg.name(), topic, epoch), InitProducer.Response.class, 0);
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
                initRetryAtNanos.put(topic, now + TimeUnit.MILLISECONDS.toNanos(cfg.retryBackoffMs()));
                log.info("INIT_PRODUCER for '{}' on '{}' failed, will retry: {}", cfg.name(), topic, failure.getMessage());
                return;
            }
            waiters = initWaiters.remove(topic);
            if (failure != null) {
                failQueuedTopic(topic, failure);
            }
        } finally {
            lock.unlock();
        }
        if (failure == null) {
            Map<Integer, Long> highest = new HashMap<>();
            for (InitProducer.PartitionSequence s : r.sequences()) {
                highest.put(s.partition(), s.highestSequence());
            }
            producerId = r.producerId();
            epoch = r.producerEpoch();
            sessions.put(topic, Map.copyOf(highest));
            initRetryAtNanos.remove(topic);
            log.info("producer '{}' initialised on '{}': id {}, epoch {}", cfg.name(), topic, producerId, epoch);
        }
        if (waiters != null) {
            for (CompletableFuture<Void> w : waiters) {
                SemelException f = failure;
                completions.add(() -> {
                    if (f == null) {
                        w.complete(null);
                    } else {
                        w.completeExceptionally(f);
                    }
                });
            }
        }
    }

    private void failQueuedTopic(String topic, SemelException failure) {
        for (Map.Entry<TopicPartition, ArrayDeque<PendingRecord>> e : queues.entrySet()) {
            if (e.getKey().topic().equals(topic)) {
                while (!e.getValue().isEmpty()) {
                    failRecord(e.getValue().poll(), failure);
                }
            }
        }
    }

    // ---- answers

    private void onAnswer(ProducerBatch b, ApiResponse resp, Throwable err) {
        PartitionState ps = state(b.tp);
        if (ps.inFlight.remove(b)) {
            inFlightTotal--;
        }
        if (b.done) {
            return;
        }
        if (err != null) {
            SemelException e = Connection.unwrap(err);
            if (e instanceof OutcomeUnknownException) {
                b.maybeAppended = true;
                retry(ps, b, e);
            } else if (e.retriable()) {
                retry(ps, b, e);
            } else {
                refused(ps, b, e);
            }
            return;
        }
        Produce.Response r = (Produce.Response) resp;
        ErrorCode code = r.error();
        String detail = "PRODUCE " + b.describe() + " answered " + code + " (" + code.code() + "): " + r.errorMessage();
        switch (code) {
            case NONE, DUPLICATE_SEQUENCE -> succeed(ps, b, r);
            case TIMEOUT -> {
                b.maybeAppended = true;
                retry(ps, b, new OutcomeUnknownException(detail));
            }
            case OUT_OF_ORDER_SEQUENCE -> outOfOrder(ps, b, detail);
            case PRODUCER_FENCED -> {
                // Fenced by our own INIT_PRODUCER for another topic: resend with the current epoch.
                if (b.epochSent < epoch) {
                    retry(ps, b, new DefiniteFailureException(code, detail));
                } else {
                    fatal(b, code, detail + "; another instance with the same name took over");
                }
            }
            case DEDUP_STATE_UNKNOWN, UNKNOWN_PRODUCER -> fatal(b, code, detail
                    + "; the broker cannot tell duplicates for this producer any more");
            default -> {
                SemelException e = new DefiniteFailureException(code, detail);
                if (code.retriable()) {
                    retry(ps, b, e);
                } else {
                    refused(ps, b, e);
                }
            }
        }
    }

    private void outOfOrder(PartitionState ps, ProducerBatch b, String detail) {
        if (!cfg.idempotent()) {
            refused(ps, b, new DefiniteFailureException(ErrorCode.OUT_OF_ORDER_SEQUENCE, detail));
            return;
        }
        // OUT_OF_ORDER means this batch is not in the log: had any attempt landed, it would be a duplicate.
        b.maybeAppended = false;
        DefiniteFailureException e = new DefiniteFailureException(ErrorCode.OUT_OF_ORDER_SEQUENCE, detail);
        if (ps.rewindTo >= 0 && b.baseSequence > ps.rewindTo && !b.explicitSequences) {
            requeue(ps, b, e);
        } else if (ps.hasEarlierPending(b)) {
            retry(ps, b, e);
        } else if (b.explicitSequences) {
            finish(b, e);
        } else {
            fatal(b, ErrorCode.OUT_OF_ORDER_SEQUENCE, detail + "; the broker's sequence for " + b.tp
                    + " does not match this producer's (another instance with the same name?)");
        }
    }

    private void requeue(PartitionState ps, ProducerBatch b, SemelException cause) {
        b.lastError = cause;
        b.retryAtNanos = System.nanoTime();
        ps.addRetry(b, true);
    }

    private void retry(PartitionState ps, ProducerBatch b, SemelException cause) {
        b.lastError = cause;
        if (!cfg.retries()) {
            finish(b, cause);
            return;
        }
        long now = System.nanoTime();
        if (!b.reported && now - b.deadlineNanos >= 0) {
            expire(ps, b);
            return;
        }
        b.attempts++;
        long backoff = Math.min(cfg.retryBackoffMaxMs(), cfg.retryBackoffMs() << Math.min(20, b.attempts - 1));
        b.retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(backoff);
        ps.addRetry(b, cfg.idempotent());
    }

    /**
     * The delivery timeout passed. A batch that may have been appended is reported to the caller as
     * outcome unknown, but an idempotent producer keeps resending it, with its sequences, until the
     * broker resolves it (appended or duplicate). Giving its sequences up instead would be a guess:
     * a copy still travelling (a stalled connection) could land later, and new records renumbered
     * into those sequences would then be answered as duplicates of it — confirmed, yet not in the log.
     */
    private void expire(PartitionState ps, ProducerBatch b) {
        String what = "PRODUCE " + b.describe() + " not confirmed within " + cfg.deliveryTimeoutMs()
                + " ms (deliveryTimeoutMs); last error: " + (b.lastError == null ? "none" : b.lastError.getMessage());
        if (b.maybeAppended) {
            OutcomeUnknownException unknown = new OutcomeUnknownException(what + "; it may or may not have been "
                    + "appended", b.lastError);
            if (cfg.idempotent() && !b.explicitSequences) {
                report(b, unknown);
                b.retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cfg.retryBackoffMaxMs());
                ps.addRetry(b, true);
                return;
            }
            finish(b, unknown);
        } else {
            refused(ps, b, new DefiniteFailureException(ErrorCode.NONE, true, what + "; it was not appended",
                    b.lastError));
        }
    }

    /** Tells the caller the outcome is unknown while the batch stays pending (see {@link #expire}). */
    private void report(ProducerBatch b, SemelException e) {
        if (b.reported || b.done) {
            return;
        }
        b.reported = true;
        for (PendingRecord r : b.records) {
            failRecord(r, e);
        }
        log.warn("producer '{}': {}; still resending it with the same sequences until the broker answers", cfg.name(),
                e.getMessage());
    }

    /** The broker definitely did not append this attempt. */
    private void refused(PartitionState ps, ProducerBatch b, SemelException e) {
        if (b.maybeAppended) {
            finish(b, new OutcomeUnknownException(e.getMessage() + "; an earlier attempt's outcome is unknown", e));
            return;
        }
        if (cfg.idempotent() && !b.explicitSequences) {
            ps.rewind(b.baseSequence); // its sequences were never used; later batches move down
        }
        finish(b, e);
    }

    private void succeed(PartitionState ps, ProducerBatch b, Produce.Response r) {
        b.done = true;
        if (b.reported) {
            log.info("producer '{}': {} reported as unknown earlier is now resolved: {} at offset {}", cfg.name(),
                    b.describe(), r.duplicate() ? "already in the log" : "appended", r.baseOffset());
            return; // the caller was told "unknown", which covers both
        }
        boolean dup = r.duplicate() || r.error() == ErrorCode.DUPLICATE_SEQUENCE;
        confirmed.addAndGet(b.size());
        if (dup) {
            duplicates.addAndGet(b.size());
        }
        for (int i = 0; i < b.size(); i++) {
            long offset = r.baseOffset() < 0 ? -1 : r.baseOffset() + i;
            SendResult res = new SendResult(b.tp.topic(), b.tp.partition(), offset, dup);
            CompletableFuture<SendResult> f = b.records.get(i).future();
            completions.add(() -> f.complete(res));
        }
        completedRecords += b.size();
    }

    private void finish(ProducerBatch b, SemelException e) {
        if (b.done) {
            return;
        }
        b.done = true;
        if (b.reported) {
            return; // its records were already reported as unknown
        }
        for (PendingRecord r : b.records) {
            failRecord(r, e);
        }
    }

    private void failRecord(PendingRecord r, SemelException e) {
        (e instanceof OutcomeUnknownException ? unknown : failed).incrementAndGet();
        completedRecords++;
        completions.add(() -> r.future().completeExceptionally(e));
    }

    /** Fails {@code b} and makes the producer refuse everything from now on. */
    private void fatal(ProducerBatch b, ErrorCode code, String message) {
        log.error("producer '{}' stops: {}", cfg.name(), message);
        FatalProducerException e = new FatalProducerException(code, message);
        finish(b, b.maybeAppended ? new OutcomeUnknownException(message + "; an earlier attempt's outcome is unknown",
                e) : e);
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
        List<PendingRecord> queued = new ArrayList<>();
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        lock.lock();
        try {
            for (ArrayDeque<PendingRecord> q : queues.values()) {
                queued.addAll(q);
                q.clear();
            }
            initWaiters.values().forEach(waiters::addAll);
            initWaiters.clear();
        } finally {
            lock.unlock();
        }
        queued.forEach(r -> failRecord(r, unsent));
        waiters.forEach(w -> completions.add(() -> w.completeExceptionally(unsent)));
        for (PartitionState ps : partitions.values()) {
            for (ProducerBatch b : ps.retry) {
                finish(b, b.maybeAppended ? new OutcomeUnknownException("PRODUCE " + b.describe()
                        + " was sent but not confirmed before the producer stopped (" + unsent.getMessage()
                        + "); it may or may not have been appended", unsent) : unsent);
            }
            ps.retry.clear();
            for (ProducerBatch b : ps.inFlight) {
                finish(b, new OutcomeUnknownException("PRODUCE " + b.describe() + " was in flight when the producer "
                        + "stopped (" + unsent.getMessage() + "); it may or may not have been appended", unsent));
            }
        }
    }

    /** Releases buffer room for completed records, then completes their futures with no lock held. */
    private void flushCompletions() {
        if (completions.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            outstanding -= completedRecords;
            assert outstanding >= 0 : "outstanding records went negative: " + outstanding;
            completedRecords = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        List<Runnable> run = new ArrayList<>(completions);
        completions.clear();
        for (Runnable r : run) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("a send callback threw; ignored", e);
            }
        }
    }
}
