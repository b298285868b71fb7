package io.semel.kafka;

import static io.semel.processor.internal.Settings.notBelow;
import static io.semel.processor.internal.Settings.positive;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;

/**
 * Settings of a {@link KafkaSource}, with units in their names. Not thread-safe.
 *
 * <p>Forced (an override is refused): {@code enable.auto.commit=false} (the position lives in the
 * store), {@code isolation.level=read_committed} (aborted input is never applied),
 * {@code auto.offset.reset=none} (a position Kafka no longer holds stops the source), byte-array
 * deserializers.
 */
public final class KafkaSourceBuilder {
    /** Where a partition without a stored position starts. */
    public enum InitialPosition {
        /** The partition's first retained record: nothing written before the processor joined is skipped. */
        EARLIEST,
        /** The end of the partition (its last stable offset) at the first claim. */
        LATEST
    }

    static final Set<String> FORCED = Set.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);

    final String bootstrapServers;
    final String group;
    final String topic;
    int maxDeliveries = 5;
    long nackBackoffMs = 100;
    long nackBackoffMaxMs = 10_000;
    int sessionTimeoutMs = 45_000;
    int maxPollIntervalMs = 300_000;
    int maxPollRecords = 500;
    InitialPosition initialPosition = InitialPosition.EARLIEST;
    InstantSource clock = InstantSource.system();
    io.semel.processor.CrashPoints.Hook crash = io.semel.processor.CrashPoints.SYSTEM;
    final Map<String, Object> extra = new HashMap<>();

    KafkaSourceBuilder(String bootstrapServers, String group, String topic) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.group = Objects.requireNonNull(group, "group");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** Deliveries of a failing message before the processor dead-letters it; default 5. */
    public KafkaSourceBuilder maxDeliveries(int v) {
        maxDeliveries = positive("maxDeliveries", v);
        return this;
    }

    /** Pause of a partition after a nack, ms, doubling per redelivery up to {@link #nackBackoffMaxMs}; default 100. */
    public KafkaSourceBuilder nackBackoffMs(long v) {
        nackBackoffMs = positive("nackBackoffMs", v);
        return this;
    }

    /** Cap of the nack pause, ms; default 10,000. */
    public KafkaSourceBuilder nackBackoffMaxMs(long v) {
        nackBackoffMaxMs = positive("nackBackoffMaxMs", v);
        return this;
    }

    /** Kafka {@code session.timeout.ms}; default 45,000 (must be within the broker's group session bounds). */
    public KafkaSourceBuilder sessionTimeoutMs(int v) {
        sessionTimeoutMs = positive("sessionTimeoutMs", v);
        return this;
    }

    /**
     * Kafka {@code max.poll.interval.ms}: a member whose processor does not poll within it (a batch or a
     * pause longer than this) leaves the group and its partitions move; default 300,000.
     */
    public KafkaSourceBuilder maxPollIntervalMs(int v) {
        maxPollIntervalMs = positive("maxPollIntervalMs", v);
        return this;
    }

    /** Kafka {@code max.poll.records}; default 500. */
    public KafkaSourceBuilder maxPollRecords(int v) {
        maxPollRecords = positive("maxPollRecords", v);
        return this;
    }

    public KafkaSourceBuilder initialPosition(InitialPosition v) {
        initialPosition = Objects.requireNonNull(v, "initialPosition");
        return this;
    }

    public KafkaSourceBuilder clock(InstantSource v) {
        clock = Objects.requireNonNull(v, "clock");
        return this;
    }

    /**
     * Crash-point hook: called at {@code kafka.afterClaimBeforeSeek}; default {@link io.semel.processor.CrashPoints#SYSTEM}
     * (halts when enabled by system property). The verify harness passes one it arms at run time.
     */
    public KafkaSourceBuilder crashHook(io.semel.processor.CrashPoints.Hook v) {
        crash = Objects.requireNonNull(v, "crash");
        return this;
    }

    /**
     * Any other consumer setting (security, {@code group.instance.id}, {@code group.protocol}, …).
     *
     * @throws IllegalArgumentException for a setting the source forces (see the class comment)
     */
    public KafkaSourceBuilder consumerProperty(String key, Object value) {
        if (FORCED.contains(key)) {
            throw new IllegalArgumentException("consumer setting " + key + " is fixed by KafkaSource (auto-commit "
                    + "off, read_committed, no offset reset, byte arrays, group and bootstrap from the builder); "
                    + "remove it");
        }
        extra.put(key, Objects.requireNonNull(value, "value"));
        return this;
    }

    public KafkaSource build() {
        notBelow("nackBackoffMaxMs", nackBackoffMaxMs, "nackBackoffMs", nackBackoffMs);
        return new KafkaSource(this);
    }

    Map<String, Object> consumerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, sessionTimeoutMs / 5));
        c.putAll(extra);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, maxPollIntervalMs);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        return c;
    }
}
