package io.semel.client;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.ConnectionSettings;
import io.semel.client.internal.Murmur2;
import io.semel.client.internal.NanoClock;
import io.semel.client.internal.PendingRecord;
import io.semel.client.internal.ProducerConfig;
import io.semel.client.internal.Sender;
import io.semel.client.internal.StickyPartitioner;
import io.semel.client.internal.TopicPartition;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import io.semel.protocol.Metadata;
import io.semel.protocol.TopicNames;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records to the broker, batched per partition, with the {@link DeliveryGuarantee} chosen at
 * build time (exactly-once by default). Thread-safe: any number of threads may call {@code send}.
 * One background sender thread does all network work; futures are completed on it, so do slow
 * work in {@code thenXxxAsync} continuations, never in plain ones.
 *
 * <p>A returned future fails with {@link DefiniteFailureException} (not appended; includes
 * {@link BufferFullException}, {@link ClientClosedException}, {@link FatalProducerException}) or
 * {@link OutcomeUnknownException} (may or may not have been appended). Misuse (bad arguments)
 * throws {@link IllegalArgumentException} / {@link IllegalStateException} at the call.
 *
 * <p>See docs/client.md for configuration keys, defaults and what each guarantee costs.
 */
public final class Producer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Producer.class);
    /** Most batches in flight per partition: the broker's dedup window of retained batches. */
    public static final int IN_FLIGHT_BATCHES_LIMIT = 5;

    private final ProducerConfig cfg;
    private final BrokerChannel channel;
    private final Sender sender;
    private final Map<String, Integer> partitionCounts = new ConcurrentHashMap<>();
    private final KeylessPartitioning keyless;
    private final int keylessStickBytes;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    /** STICKY: one partitioner per topic, each guarded by its own monitor (a leaf, held for a few field updates). */
    private final Map<String, StickyPartitioner> sticky = new ConcurrentHashMap<>();
    private final Random stickySeeds = new Random();
    private final Object sequenceOwnership = new Object();
    /** Guarded by sequenceOwnership: partitions whose sequences the caller owns, and the last one given. */
    private final Map<TopicPartition, Long> explicitLast = new ConcurrentHashMap<>();
    /** Guarded by sequenceOwnership: partitions whose sequences the producer assigns. */
    private final Set<TopicPartition> autoAssigned = new HashSet<>();

    private Producer(ProducerConfig cfg, KeylessPartitioning keyless, int keylessStickBytes) {
        this.cfg = cfg;
        this.keyless = keyless;
        this.keylessStickBytes = keylessStickBytes;
        this.channel = new BrokerChannel(cfg.connection());
        this.sender = new Sender(cfg, channel, NanoClock.SYSTEM);
        Thread t = new Thread(sender, "semel-producer-sender-" + cfg.name());
        t.setDaemon(true);
        sender.start(t);
    }

    public static Builder builder(String bootstrap) {
        return new Builder(bootstrap);
    }

    /** The stable identity used for idempotence. */
    public String name() {
        return cfg.name();
    }

    public DeliveryGuarantee guarantee() {
        return cfg.guarantee();
    }

    public CompletableFuture<SendResult> send(String topic, byte[] value) {
        return send(topic, null, value, List.of());
    }

    public CompletableFuture<SendResult> send(String topic, byte[] key, byte[] value) {
        return send(topic, key, value, List.of());
    }

    /**
     * Sends one record; partition = murmur2(key) mod n, or, when {@code key} is null, as the builder's
     * {@link KeylessPartitioning} says (sticky by default).
     * May block up to maxBlockMs: for the topic's metadata on first use, and for buffer room.
     */
    public CompletableFuture<SendResult> send(String topic, byte[] key, byte[] value, List<Header> headers) {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(topic, "topic");
        try {
            int n = partitionCount(topic); // validates the name the first time (IllegalArgumentException)
            PendingRecord rec = PendingRecord.of(key, value, headers, -1, sender.nanoTime());
            int partition;
            int leftFull = -1;
            if (key != null) {
                partition = Murmur2.partition(key, n);
            } else if (keyless == KeylessPartitioning.ROUND_ROBIN || n == 1) {
                partition = Math.floorMod(roundRobin.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement(), n);
            } else {
                StickyPartitioner.Choice c = chooseSticky(topic, n, rec.sizeBytes());
                partition = c.partition();
                leftFull = c.leftFull();
            }
            TopicPartition tp = new TopicPartition(topic, partition);
            synchronized (sequenceOwnership) {
                if (explicitLast.containsKey(tp)) {
                    throw new IllegalStateException("partition " + tp + " gets its sequences from sendWithSequence; "
                            + "send() would assign conflicting ones. Use sendWithSequence for every record of it");
                }
                autoAssigned.add(tp);
            }
            sender.append(tp, rec, leftFull < 0 ? null : new TopicPartition(topic, leftFull));
            return rec.future();
        } catch (SemelException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The choice is made before the record reaches the sender's buffer, outside Sender.lock (lock order:
     * the sequence-ownership check comes between). With several threads sending, a record chosen for a
     * partition just before another thread's record ended its stick may arrive after that full batch
     * was cut; it then waits for lingerMs in a small batch of its own. Rare, and only a smaller batch.
     */
    private StickyPartitioner.Choice chooseSticky(String topic, int n, int recordBytes) {
        StickyPartitioner sp = sticky.computeIfAbsent(topic, t -> {
            synchronized (stickySeeds) {
                return new StickyPartitioner(n, keylessStickBytes, new Random(stickySeeds.nextLong()));
            }
        });
        synchronized (sp) {
            return sp.choose(recordBytes);
        }
    }

    /**
     * Sends one record with a sequence the caller owns (a durable producer, such as an outbox relay
     * that stores its sequences). Per partition the sequences must be contiguous: each one at most
     * one above the last given (repeating earlier ones is allowed; the broker answers them as
     * duplicates). The producer never assigns sequences on such a partition. Start from
     * {@link #nextSequence} or from your own store. A sequence the broker finds out of order fails
     * that record with {@code OUT_OF_ORDER_SEQUENCE} (definite).
     *
     * @throws IllegalStateException unless built with {@link Builder#durable(String)}, or when
     *     {@code send} already assigned sequences on this partition
     * @throws IllegalArgumentException for a gap in the sequence or a bad partition
     */
    public CompletableFuture<SendResult> sendWithSequence(String topic, int partition, long sequence, byte[] key,
            byte[] value, List<Header> headers) {
        requireDurable();
        Objects.requireNonNull(headers, "headers");
        validateTopic(topic);
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        try {
            int n = partitionCount(topic);
            if (partition < 0 || partition >= n) {
                throw new IllegalArgumentException("partition " + partition + " out of range 0.." + (n - 1)
                        + " for topic '" + topic + "'");
            }
            TopicPartition tp = new TopicPartition(topic, partition);
            synchronized (sequenceOwnership) {
                if (autoAssigned.contains(tp)) {
                    throw new IllegalStateException("partition " + tp + " already got producer-assigned sequences "
                            + "from send(); use one or the other per partition");
                }
                Long last = explicitLast.get(tp);
                if (last != null && sequence > last + 1) {
                    throw new IllegalArgumentException("sequence " + sequence + " for " + tp + " leaves a gap after "
                            + last + "; sequences must be contiguous per partition");
                }
                explicitLast.put(tp, last == null ? sequence : Math.max(last, sequence));
            }
            return enqueue(tp, key, value, headers, sequence);
        } catch (SemelException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The first sequence to use on a partition: the broker's highest persisted sequence + 1 as
     * INIT_PRODUCER reported it (runs INIT_PRODUCER for the topic if this producer has not yet).
     * It is not updated by later sends: after that the caller owns the sequences.
     *
     * @throws SemelException INIT_PRODUCER failed
     */
    public long nextSequence(String topic, int partition) {
        requireDurable();
        Map<Integer, Long> seqs = sender.initialSequences(topic, cfg.deliveryTimeoutMs());
        return seqs.getOrDefault(partition, -1L) + 1;
    }

    private static void validateTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        TopicNames.problem(topic).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    private void requireDurable() {
        if (!cfg.durable()) {
            throw new IllegalStateException("producer '" + cfg.name() + "' was not built with durable(name); "
                    + "caller-owned sequences need a durable identity");
        }
    }

    private CompletableFuture<SendResult> enqueue(TopicPartition tp, byte[] key, byte[] value, List<Header> headers,
            long sequence) {
        PendingRecord rec = PendingRecord.of(key, value, headers, sequence, sender.nanoTime());
        sender.append(tp, rec);
        return rec.future();
    }

    /**
     * The topic's partition count (METADATA on first use, then cached: a topic's partition count is
     * fixed at creation). Callers that pick partitions themselves, such as an outbox relay using
     * {@link Partitioner}, use it with {@link #sendWithSequence}.
     *
     * @throws SemelException METADATA failed or the topic does not exist
     */
    public int partitionCount(String topic) {
        Objects.requireNonNull(topic, "topic");
        Integer n = partitionCounts.get(topic);
        if (n != null) {
            return n; // only names that passed the check below are known: not checked again on every send
        }
        validateTopic(topic);
        Metadata.Response r = channel.call(new Metadata.Request(List.of(topic)), Metadata.Response.class, 0);
        if (r.error() != ErrorCode.NONE) {
            throw new DefiniteFailureException(r.error(), "METADATA for topic '" + topic + "' failed: " + r.error()
                    + " (" + r.error().code() + ") " + r.errorMessage() + "; nothing was sent");
        }
        for (Metadata.TopicMetadata t : r.topics()) {
            if (t.name().equals(topic)) {
                if (t.error() != ErrorCode.NONE || t.partitionCount() < 1) {
                    throw new DefiniteFailureException(t.error() == ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                            : t.error(), "topic '" + topic + "' is not available: " + t.error() + ", "
                            + t.partitionCount() + " partitions; create it first; nothing was sent");
                }
                partitionCounts.put(topic, t.partitionCount());
                return t.partitionCount();
            }
        }
        throw new DefiniteFailureException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "METADATA answer has no entry for topic '"
                + topic + "'; nothing was sent");
    }

    /**
     * The producer id the broker issued at the last INIT_PRODUCER, or -1 before the first one. A
     * durable producer keeps its id across restarts; an outbox relay records it with its sequences.
     */
    public long producerId() {
        return sender.producerId();
    }

    /** The epoch from the last INIT_PRODUCER (each one bumps it, fencing older instances), or -1. */
    public short producerEpoch() {
        return sender.producerEpoch();
    }

    /** Waits until every record sent so far (and concurrently) is confirmed or failed. */
    public void flush() {
        sender.flush();
    }

    public ProducerStats stats() {
        return sender.stats();
    }

    /**
     * Stops accepting records, keeps sending buffered ones for up to {@code timeout}, then fails
     * what is left: records never sent with {@link ClientClosedException}, records sent but not
     * confirmed with {@link OutcomeUnknownException}. Safe at any point and more than once.
     *
     * @return the final counts, also logged
     */
    public ProducerStats close(Duration timeout) {
        sender.close(timeout.toMillis());
        ProducerStats s = sender.stats();
        log.info("producer '{}' closed: {}", cfg.name(), s);
        return s;
    }

    /** {@link #close(Duration)} with deliveryTimeoutMs. */
    @Override
    public void close() {
        close(Duration.ofMillis(cfg.deliveryTimeoutMs()));
    }

    /** Settings with units in their names; see docs/client.md for defaults. Not thread-safe. */
    public static final class Builder extends ClientBuilder<Builder> {
        /**
         * Default length of a keyless stick, in batches of batchBytesMax: longer than the in-flight window
         * (5), so about one partition's writer is busy at a time and its forces cover several batches.
         * Measured (docs/benchmarks.md, 4 partitions, fsync before confirm): a stick of one batch cut the
         * forces against round-robin by about a tenth, five batches by 13%, ten by about a fifth.
         */
        public static final int KEYLESS_STICK_BATCHES = 10;
        private String name;
        private boolean durable;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.EXACTLY_ONCE;
        private int batchBytesMax = 64 * 1024;
        private long lingerMs = 1;
        private int inFlightBatchesMax = IN_FLIGHT_BATCHES_LIMIT;
        private int bufferedRecordsMax = 10_000;
        private long maxBlockMs = 60_000;
        private long retryBackoffMs = 100;
        private long retryBackoffMaxMs = 1_000;
        private long deliveryTimeoutMs = 120_000;
        private boolean releaseOnClose;
        private KeylessPartitioning keylessPartitioning = KeylessPartitioning.STICKY;
        private Integer keylessStickBytes; // null: KEYLESS_STICK_BATCHES batches of batchBytesMax

        private Builder(String bootstrap) {
            super(bootstrap, "semel-producer");
        }

        @Override
        Builder self() {
            return this;
        }

        /** Stable producer identity for idempotence; default "producer-" + random UUID. */
        public Builder name(String v) {
            name = Objects.requireNonNull(v);
            return this;
        }

        /** A durable identity whose sequences the caller owns ({@link #sendWithSequence}); implies EXACTLY_ONCE. */
        public Builder durable(String v) {
            name = Objects.requireNonNull(v);
            durable = true;
            return this;
        }

        public Builder guarantee(DeliveryGuarantee v) {
            guarantee = Objects.requireNonNull(v);
            return this;
        }

        public Builder batchBytesMax(int v) {
            batchBytesMax = v;
            return this;
        }

        public Builder lingerMs(long v) {
            lingerMs = v;
            return this;
        }

        public Builder inFlightBatchesMax(int v) {
            inFlightBatchesMax = v;
            return this;
        }

        public Builder bufferedRecordsMax(int v) {
            bufferedRecordsMax = v;
            return this;
        }

        public Builder maxBlockMs(long v) {
            maxBlockMs = v;
            return this;
        }

        public Builder retryBackoffMs(long v) {
            retryBackoffMs = v;
            return this;
        }

        public Builder retryBackoffMaxMs(long v) {
            retryBackoffMaxMs = v;
            return this;
        }

        public Builder deliveryTimeoutMs(long v) {
            deliveryTimeoutMs = v;
            return this;
        }

        /**
         * Releases the producer's registration on close (RELEASE_PRODUCER), for one-shot producers such
         * as {@code semel produce}: the broker then frees the name's slot of its {@code producersMax} at
         * once instead of after {@code producerIdleExpiryMs}. Never for a durable producer that resumes
         * its sequences after a restart (its dedup state would be gone). Default false.
         */
        public Builder releaseOnClose(boolean v) {
            releaseOnClose = v;
            return this;
        }

        /**
         * How records without a key are spread over partitions: {@link KeylessPartitioning#STICKY}
         * (default: one partition per batch, fewer and fuller batches) or
         * {@link KeylessPartitioning#ROUND_ROBIN} (one partition per record in turn).
         */
        public Builder keylessPartitioning(KeylessPartitioning v) {
            keylessPartitioning = Objects.requireNonNull(v);
            return this;
        }

        /**
         * STICKY: bytes of keyless records (batch header plus encoded records) one partition gets before
         * the producer moves to the next; default {@value #KEYLESS_STICK_BATCHES} x batchBytesMax.
         */
        public Builder keylessStickBytes(int v) {
            keylessStickBytes = v;
            return this;
        }

        public Builder reconnectBackoffMs(int initialMs, int maxMs) {
            reconnectBackoffMs = initialMs;
            reconnectBackoffMaxMs = maxMs;
            return this;
        }

        public Producer build() {
            ConnectionSettings cs = connectionSettings(); // validates the bootstrap address first
            if (durable && releaseOnClose) {
                throw new IllegalArgumentException("durable(name) resumes its sequences after a restart, which needs "
                        + "the broker's dedup state: it cannot releaseOnClose");
            }
            if (durable && guarantee != DeliveryGuarantee.EXACTLY_ONCE) {
                throw new IllegalArgumentException("durable(name) needs guarantee EXACTLY_ONCE, not " + guarantee);
            }
            check("batchBytesMax", batchBytesMax, 1, Integer.MAX_VALUE);
            check("lingerMs", lingerMs, 0, Long.MAX_VALUE);
            // Beyond the broker's dedup window a retried batch could no longer be recognised.
            check("inFlightBatchesMax", inFlightBatchesMax, 1, IN_FLIGHT_BATCHES_LIMIT);
            check("bufferedRecordsMax", bufferedRecordsMax, 1, Integer.MAX_VALUE);
            check("maxBlockMs", maxBlockMs, 0, Long.MAX_VALUE);
            check("retryBackoffMs", retryBackoffMs, 1, Long.MAX_VALUE);
            check("retryBackoffMaxMs", retryBackoffMaxMs, retryBackoffMs, Long.MAX_VALUE);
            check("deliveryTimeoutMs", deliveryTimeoutMs, 1, Long.MAX_VALUE);
            long stickBytes = keylessStickBytes != null ? keylessStickBytes
                    : Math.min(Integer.MAX_VALUE, (long) KEYLESS_STICK_BATCHES * batchBytesMax);
            check("keylessStickBytes", stickBytes, 1, Integer.MAX_VALUE);
            String n = name != null ? name : "producer-" + UUID.randomUUID();
            return new Producer(new ProducerConfig(cs, n, durable, guarantee, batchBytesMax, lingerMs,
                    inFlightBatchesMax, bufferedRecordsMax, maxBlockMs, retryBackoffMs, retryBackoffMaxMs,
                    deliveryTimeoutMs, releaseOnClose), keylessPartitioning, (int) stickBytes);
        }

        private static void check(String key, long v, long min, long max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(key + " " + v + " out of range " + min + ".." + max);
            }
        }
    }
}
