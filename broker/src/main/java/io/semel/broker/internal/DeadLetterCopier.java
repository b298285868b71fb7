package io.semel.broker.internal;

import io.semel.broker.group.DeadLetterRequest;
import io.semel.broker.group.GroupRecord;
import io.semel.broker.group.GroupRecord.DeadLetterRequested;
import io.semel.log.AppendRejectedException;
import io.semel.log.producer.ProducerRegistry;
import io.semel.protocol.Header;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies dead-lettered messages to {@code <topic>.dlq} partition 0, exactly once.
 *
 * <p><b>Idempotence.</b> Each group writes as the broker-internal idempotent producer
 * {@code semel.dlq.<group>} (registered in the {@link ProducerRegistry} through the admin thread).
 * The sequence of a copy is the position of its {@code DeadLetterRequested} record among the
 * group's {@code DeadLetterRequested} records in the group log (0, 1, 2, ...): persisted state, so
 * the same copy gets the same sequence after a crash, and the DLQ partition answers a repeat as a
 * duplicate instead of writing it twice. Copies of one group are made strictly one at a time in
 * sequence order (a copy is issued only after its request is durable, and every lower sequence was
 * either copied already or is ahead of it in the queue), so sequences arrive without gaps.
 *
 * <p>If the DLQ partition has lost the producer's dedup state ({@code DEDUP_STATE_UNKNOWN}) or
 * reports a gap, the copy falls back to a plain (non-idempotent) append and logs a warning: the
 * message still reaches the DLQ, possibly twice. A message removed by retention before it could be
 * copied is dead-lettered as an empty record with {@code semel.dlq.missing=true}.
 *
 * <p>Not thread-safe: coordinator thread only; completions come back through {@code coordinator}.
 */
public final class DeadLetterCopier {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterCopier.class);
    /** Name prefix of the broker-internal DLQ producers. */
    static final String PRODUCER_PREFIX = "semel.dlq.";
    static final String H_MISSING = "semel.dlq.missing";
    /** Pause before retrying a copy that failed. */
    static final long RETRY_MS = 500;

    /** Broker services the copier needs; each answers on another thread. */
    public interface Admin {
        CompletableFuture<ProducerRegistry.InitResult> initProducer(String name);

        /** Creates the topic (1 partition) if it does not exist. */
        CompletableFuture<Void> ensureTopic(String name);
    }

    private record Key(int partition, long offset) {
    }

    /** One group's copy queue. */
    private final class Chain {
        final String group;
        long nextSequence;
        final Map<Key, Long> sequences = new HashMap<>();
        final TreeMap<Long, DeadLetterRequest> queue = new TreeMap<>();
        ProducerRegistry.InitResult producer;
        boolean busy;
        long retryAtMs;

        Chain(String group) {
            this.group = group;
        }
    }

    private final TopicManager topics;
    private final Admin admin;
    private final Executor coordinator;
    private final Clock clock;
    private final Consumer<DeadLetterRequest> settle;
    private final Map<String, Chain> chains = new HashMap<>();
    /** Bumped on {@link #reset}: completions of copies started before are ignored. */
    private long generation;

    /** @param settle called on the coordinator thread once a request's copy is durable */
    DeadLetterCopier(TopicManager topics, Admin admin, Executor coordinator, Clock clock,
            Consumer<DeadLetterRequest> settle) {
        this.topics = topics;
        this.admin = admin;
        this.coordinator = coordinator;
        this.clock = clock;
        this.settle = settle;
    }

    /**
     * One group's numbering, carried through group-log compaction: the next sequence and the
     * sequences of requests not yet settled. Without it a compacted log would renumber pending
     * copies and the DLQ's dedup would see gaps or repeats.
     *
     * <pre>
     * field          type    meaning
     * nextSequence   int64   sequence the next DeadLetterRequested record gets
     * count          int32   pending entries that follow
     * per entry:     int32 partition, int64 offset, int64 sequence
     * </pre>
     */
    record SequenceState(long nextSequence, Map<PendingKey, Long> pending) {
        private static final int ENTRY_BYTES = 20;

        byte[] encode() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + pending.size() * ENTRY_BYTES);
            b.putLong(nextSequence).putInt(pending.size());
            pending.forEach((k, seq) -> b.putInt(k.partition()).putLong(k.offset()).putLong(seq));
            return b.array();
        }

        static SequenceState decode(byte[] bytes) throws java.io.IOException {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            if (bytes.length < 12) {
                throw new java.io.IOException("dead-letter sequence state of " + bytes.length + " bytes, need >= 12");
            }
            long next = b.getLong();
            int count = b.getInt();
            if (count < 0 || (long) count * ENTRY_BYTES != b.remaining()) {
                throw new java.io.IOException("dead-letter sequence state claims " + count + " entries in "
                        + b.remaining() + " bytes");
            }
            Map<PendingKey, Long> pending = new HashMap<>();
            for (int i = 0; i < count; i++) {
                pending.put(new PendingKey(b.getInt(), b.getLong()), b.getLong());
            }
            return new SequenceState(next, pending);
        }
    }

    /** A dead-letter request's identity: the original partition and offset. */
    record PendingKey(int partition, long offset) {
    }

    /** Every group's numbering now, for a compaction snapshot. Coordinator thread. */
    Map<String, SequenceState> sequenceStates() {
        Map<String, SequenceState> out = new HashMap<>();
        chains.forEach((g, c) -> {
            Map<PendingKey, Long> pending = new HashMap<>();
            c.sequences.forEach((k, seq) -> pending.put(new PendingKey(k.partition(), k.offset()), seq));
            out.put(g, new SequenceState(c.nextSequence, pending));
        });
        return out;
    }

    /**
     * Forgets every queue and recomputes sequences from the group log (start, rebuild): from the
     * numbering a compaction snapshot carried, then the DeadLetterRequested records after it.
     * Producer identities are kept: re-registering would bump the epoch and fence copies in flight.
     */
    void reset(Map<String, List<GroupRecord>> recordsByGroup, Map<String, SequenceState> compacted) {
        generation++;
        Map<String, ProducerRegistry.InitResult> producers = new HashMap<>();
        chains.forEach((g, c) -> producers.put(g, c.producer));
        chains.clear();
        compacted.forEach((group, state) -> {
            Chain c = chain(group);
            c.nextSequence = state.nextSequence();
            state.pending().forEach((k, seq) -> c.sequences.put(new Key(k.partition(), k.offset()), seq));
        });
        recordsByGroup.forEach((group, records) -> {
            Chain c = chain(group);
            c.producer = producers.get(group);
            assignSequences(group, records);
        });
    }

    /**
     * Numbers the {@code DeadLetterRequested} records of a decision, in the order they are appended.
     * A request that already has a number (restored from a compaction snapshot, whose records
     * repeat it) keeps it.
     */
    void assignSequences(String group, List<GroupRecord> records) {
        for (GroupRecord r : records) {
            if (r instanceof DeadLetterRequested d) {
                Chain c = chain(group);
                Key key = new Key(d.partition(), d.offset());
                if (!c.sequences.containsKey(key)) {
                    c.sequences.put(key, c.nextSequence++);
                }
            }
        }
    }

    /** Queues durable requests for copying. */
    void enqueue(List<DeadLetterRequest> requests) {
        for (DeadLetterRequest r : requests) {
            Chain c = chain(r.group());
            Long seq = c.sequences.get(new Key(r.partition(), r.offset()));
            if (seq == null) {
                throw new IllegalStateException("dead-letter request " + r + " has no DeadLetterRequested record in"
                        + " the group log; cannot give it a sequence");
            }
            c.queue.put(seq, r);
            pump(c);
        }
    }

    /**
     * Drops a deleted group's queue and numbering: its topic and dead-letter topic are going away.
     * A copy already running finishes against the deleted topic or fails; either way its settlement
     * finds no group and is ignored.
     */
    void forget(String group) {
        chains.remove(group);
    }

    /** Retries chains whose last copy failed; from the tick. */
    void retryDue() {
        long now = clock.millis();
        for (Chain c : chains.values()) {
            if (!c.busy && !c.queue.isEmpty() && c.retryAtMs <= now) {
                pump(c);
            }
        }
    }

    /** Whether no copy is queued or running. */
    boolean idle() {
        return chains.values().stream().allMatch(c -> !c.busy && c.queue.isEmpty());
    }

    private Chain chain(String group) {
        return chains.computeIfAbsent(group, Chain::new);
    }

    private void pump(Chain c) {
        if (c.busy || c.queue.isEmpty() || c.retryAtMs > clock.millis()) {
            return;
        }
        c.busy = true;
        long gen = generation;
        var head = c.queue.firstEntry();
        DeadLetterRequest r = head.getValue();
        CompletableFuture<ProducerRegistry.InitResult> producer = c.producer != null
                ? CompletableFuture.completedFuture(c.producer)
                : admin.ensureTopic(r.dlqTopic()).thenCompose(v -> admin.initProducer(PRODUCER_PREFIX + c.group));
        producer.whenCompleteAsync((init, e) -> {
            if (gen != generation) {
                return;
            }
            if (e != null) {
                failed(c, r, e);
                return;
            }
            c.producer = init;
            copy(c, head.getKey(), r, gen);
        }, coordinator);
    }

    private void copy(Chain c, long seq, DeadLetterRequest r, long gen) {
        Topic source = topics.topic(r.topic());
        Topic dlq = topics.topic(r.dlqTopic());
        if (source == null || dlq == null) {
            failed(c, r, new IllegalStateException("topic " + (source == null ? r.topic() : r.dlqTopic())
                    + " does not exist"));
            return;
        }
        TopicLogView.One one = new TopicLogView(source, new TopicLogView.Decoded()).readOne(r.partition(), r.offset());
        if (one.found() == TopicLogView.Found.FAILED) {
            failed(c, r, new IllegalStateException("could not read the original message"));
            return;
        }
        LogRecord record = copyOf(one, r);
        long ts = one.message() == null ? clock.millis() : one.message().timestampMs();
        RecordBatch batch = RecordBatch.of(c.producer.producerId(), c.producer.epoch(), seq, ts, List.of(record));
        dlq.partition(0).append(batch, c.producer.epoch())
                .exceptionallyCompose(e -> fallBack(e, r, ts, record, dlq))
                .whenCompleteAsync((o, e) -> {
                    if (gen != generation) {
                        return;
                    }
                    if (e != null) {
                        failed(c, r, e);
                        return;
                    }
                    c.busy = false;
                    c.queue.remove(seq);
                    c.sequences.remove(new Key(r.partition(), r.offset()));
                    settle.accept(r);
                    pump(c);
                }, coordinator);
    }

    private static CompletableFuture<io.semel.log.AppendOutcome> fallBack(Throwable e, DeadLetterRequest r, long ts,
            LogRecord record, Topic dlq) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof AppendRejectedException rej && (rej.errorCode() == io.semel.protocol.ErrorCode.DEDUP_STATE_UNKNOWN
                || rej.errorCode() == io.semel.protocol.ErrorCode.OUT_OF_ORDER_SEQUENCE)) {
            LOG.warn("DLQ copy of {} {}-{} offset {}: {}; copying without dedup (may duplicate)", r.group(), r.topic(),
                    r.partition(), r.offset(), rej.getMessage());
            return dlq.partition(0).append(RecordBatch.of(ts, List.of(record)), RecordBatch.NO_PRODUCER_EPOCH);
        }
        return CompletableFuture.failedFuture(cause);
    }

    private static LogRecord copyOf(TopicLogView.One one, DeadLetterRequest r) {
        List<Header> headers = new ArrayList<>();
        if (one.message() == null) {
            headers.addAll(r.headers());
            headers.add(Header.of(H_MISSING, "true")); // removed by retention before the copy
            return new LogRecord(null, null, headers);
        }
        LogRecord stored = one.message().decoded(); // once: the message keeps its record undecoded
        headers.addAll(stored.headers());
        headers.addAll(r.headers());
        return new LogRecord(stored.key(), stored.value(), headers);
    }

    private void failed(Chain c, DeadLetterRequest r, Throwable e) {
        c.busy = false;
        c.retryAtMs = clock.millis() + RETRY_MS;
        LOG.warn("DLQ copy of group {} {}-{} offset {} failed, retrying in {} ms: {}", r.group(), r.topic(),
                r.partition(), r.offset(), RETRY_MS, e.toString());
    }
}
