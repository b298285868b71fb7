package io.semel.kafka;

import static io.semel.processor.internal.Settings.notBelow;
import static io.semel.processor.internal.Settings.positive;
import static io.semel.processor.internal.Settings.range;

import io.semel.processor.CrashPoints;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreLimits;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Settings of a {@link KafkaOutboxRelay}, with units in their names. Not thread-safe. */
public final class KafkaOutboxRelayBuilder {
    /** The default compacted topic holding every relay's progress record. */
    public static final String PROGRESS_TOPIC_DEFAULT = "semel.relay.progress";

    static final Set<String> FORCED = Set.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG,
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    final JdbcStore store;
    final String bootstrapServers;
    final String relayName;
    String progressTopic = PROGRESS_TOPIC_DEFAULT;
    short progressReplicationFactor = 3;
    int relayBatchMax = 500;
    int relayPassRowsMax = 5_000;
    long pollIntervalMs = 50;
    long backoffMs = 100;
    long backoffMaxMs = 5_000;
    long standbyRetryMs = 1_000;
    int transactionTimeoutMs = 60_000;
    long progressReadTimeoutMs = 60_000;
    InstantSource clock = InstantSource.system();
    Random random = new SecureRandom();
    CrashPoints.Hook crash = CrashPoints.SYSTEM;
    final Map<String, Object> extra = new HashMap<>();

    KafkaOutboxRelayBuilder(JdbcStore store, String bootstrapServers, String relayName) {
        this.store = Objects.requireNonNull(store, "store");
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.relayName = Objects.requireNonNull(relayName, "relayName");
        if (relayName.isEmpty() || relayName.length() > 200) {
            throw new IllegalArgumentException("relayName must be 1..200 characters, got '" + relayName + "'");
        }
    }

    /** The compacted topic for progress records; default {@value #PROGRESS_TOPIC_DEFAULT}. */
    public KafkaOutboxRelayBuilder progressTopic(String v) {
        progressTopic = Objects.requireNonNull(v, "progressTopic");
        return this;
    }

    /** Replication factor when the relay creates the progress topic; default 3 (use 1 on a single broker). */
    public KafkaOutboxRelayBuilder progressReplicationFactor(int v) {
        progressReplicationFactor = (short) range("progressReplicationFactor", v, 1, Short.MAX_VALUE);
        return this;
    }

    /**
     * Outbox rows per store read, 1..{@link StoreLimits#OUTBOX_BATCH_MAX}; default 500. A pass reads one such chunk,
     * and more while each comes back full, up to {@link #relayPassRowsMax}: it bounds the rows held in memory at once.
     */
    public KafkaOutboxRelayBuilder relayBatchMax(int v) {
        relayBatchMax = (int) range("relayBatchMax", v, 1, StoreLimits.OUTBOX_BATCH_MAX);
        return this;
    }

    /**
     * Outbox rows per Kafka transaction (one pass), 1..{@link StoreLimits#OUTBOX_BATCH_MAX}; default 5,000. A
     * transaction costs several forced writes on the brokers whatever its size, so a relay that fell behind catches
     * up in larger passes; the bound keeps a pass (and the time {@code read_committed} readers of its partitions
     * wait for its commit) short.
     */
    public KafkaOutboxRelayBuilder relayPassRowsMax(int v) {
        relayPassRowsMax = (int) range("relayPassRowsMax", v, 1, StoreLimits.OUTBOX_BATCH_MAX);
        return this;
    }

    /**
     * Wait when no row is pending, ms; default 50. A commit of outbox rows through the relay's own store object (a
     * processor in the same JVM) ends the wait at once; this bounds how late rows committed by other processes or
     * store objects are seen.
     */
    public KafkaOutboxRelayBuilder pollIntervalMs(long v) {
        pollIntervalMs = positive("pollIntervalMs", v);
        return this;
    }

    /** First wait after a failed pass, ms, doubling up to {@link #backoffMaxMs}; default 100. */
    public KafkaOutboxRelayBuilder backoffMs(long v) {
        backoffMs = positive("backoffMs", v);
        return this;
    }

    public KafkaOutboxRelayBuilder backoffMaxMs(long v) {
        backoffMaxMs = positive("backoffMaxMs", v);
        return this;
    }

    /** How often a standby relay retries the store's relay lock, ms; default 1,000. */
    public KafkaOutboxRelayBuilder standbyRetryMs(long v) {
        standbyRetryMs = positive("standbyRetryMs", v);
        return this;
    }

    /**
     * Kafka {@code transaction.timeout.ms}: an open transaction of a stalled or dead relay is aborted
     * after this, and until then {@code read_committed} readers of its partitions wait; default 60,000
     * (at most the broker's {@code transaction.max.timeout.ms}, 900,000 by default).
     */
    public KafkaOutboxRelayBuilder transactionTimeoutMs(int v) {
        transactionTimeoutMs = positive("transactionTimeoutMs", v);
        return this;
    }

    /** Bound on reading the progress topic at session start, ms; default 60,000. */
    public KafkaOutboxRelayBuilder progressReadTimeoutMs(long v) {
        progressReadTimeoutMs = positive("progressReadTimeoutMs", v);
        return this;
    }

    public KafkaOutboxRelayBuilder clock(InstantSource v) {
        clock = Objects.requireNonNull(v, "clock");
        return this;
    }

    /** Draws the store id written once at the relay's first session; default a SecureRandom. */
    public KafkaOutboxRelayBuilder random(Random v) {
        random = Objects.requireNonNull(v, "random");
        return this;
    }

    /** Crash-point hook (tests); default {@link CrashPoints#SYSTEM}. */
    public KafkaOutboxRelayBuilder crashHook(CrashPoints.Hook v) {
        crash = Objects.requireNonNull(v, "crash");
        return this;
    }

    /** Any other producer (and progress reader) client setting, e.g. security. */
    public KafkaOutboxRelayBuilder clientProperty(String key, Object value) {
        if (FORCED.contains(key)) {
            throw new IllegalArgumentException("producer setting " + key + " is fixed by KafkaOutboxRelay "
                    + "(transactional id semel-relay-<name>, idempotence, acks=all, transaction timeout from the "
                    + "builder); remove it");
        }
        extra.put(key, Objects.requireNonNull(value, "value"));
        return this;
    }

    public KafkaOutboxRelay build() {
        notBelow("backoffMaxMs", backoffMaxMs, "backoffMs", backoffMs);
        return new KafkaOutboxRelay(this);
    }

    String transactionalId() {
        return "semel-relay-" + relayName;
    }

    Map<String, Object> producerConfig() {
        Map<String, Object> c = new HashMap<>();
        // Small transactions stall on CONCURRENT_TRANSACTIONS retries at the 100 ms default.
        c.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.putAll(extra);
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        return c;
    }
}
