package io.semel.broker;

import io.semel.broker.group.GroupConfig;
import io.semel.broker.security.SecurityConfig;
import io.semel.log.FlushPolicy;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogConfig;
import io.semel.log.producer.ProducerRegistry;
import io.semel.protocol.Protocol;
import io.semel.protocol.RecordBatch;
import io.semel.protocol.config.ConfigDef;
import io.semel.protocol.config.ConfigValues;
import io.semel.protocol.config.Setting;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Broker settings. Immutable and thread-safe; built with {@link #builder(Path)} or loaded from a
 * properties file with {@link #load}. Every size ends in {@code Bytes}, every duration in
 * {@code Ms}; in a properties file a size may carry a unit ({@code 512KiB}, {@code 8MiB},
 * {@code 1GiB}) and a duration one of {@code ms, s, min, h, d}.
 *
 * <p>Each setting is declared once, as a {@link Setting} constant here or in the definitions the
 * broker includes ({@link LogConfig#DEF}, {@link GroupConfig#DEF}); {@link #DEF} derives parsing,
 * validation, {@link #toString()} and the settings table of {@code docs/broker.md} (which
 * {@code BrokerSettingsDocTest} keeps in step). To add a setting: declare the constant, list it in
 * {@link #DEF}, read it with {@link #get(Setting)} (or a named accessor), and regenerate the docs.
 * The {@code tls.*} and {@code security.*} keys are not in {@link #DEF}: they belong to
 * {@link SecurityConfig} (docs/security.md).
 */
public final class BrokerConfig {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7471;
    /** Room a FETCH answer or PRODUCE request needs beyond its batches: headers, topic name. */
    public static final int FRAME_OVERHEAD_BYTES = 1024;

    private static final int KIB = 1024;

    public static final Setting<Path> DATA_DIR = Setting.path("dataDir", null,
            "directory of topics, producer and group state").required().flag("--data-dir");
    public static final Setting<String> BROKER_ID = Setting.string("brokerId", "semel", "name announced in HELLO");
    public static final Setting<String> HOST = Setting.string("host", DEFAULT_HOST,
            "address to listen on (also the metrics endpoint's)").flag("--host");
    public static final Setting<Integer> PORT = Setting.integer("port", DEFAULT_PORT,
            "TCP port; 0 picks a free port").range(0, 65_535).flag("--port");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("maxConnections", 1024,
            "open client connections; one more is closed at once (logged)").range(1, 1_000_000);
    public static final Setting<Integer> MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION = Setting.integer(
            "maxInFlightRequestsPerConnection", 1024,
            "unanswered requests per connection before the broker stops reading from it").range(1, 1_000_000);
    public static final Setting<Integer> IO_THREADS = Setting.integer("ioThreads",
            Math.min(4, Runtime.getRuntime().availableProcessors()), "event-loop threads serving connections")
            .range(1, 1024).defaultDoc("min(4, cpus)");
    // 64 KiB leaves room for the largest valid request that is not a batch.
    public static final Setting<Integer> MAX_FRAME_BYTES = Setting.bytesInt("maxFrameBytes",
            Protocol.MAX_FRAME_BYTES_DEFAULT, "largest frame (length field) accepted")
            .range(64 * KIB, RecordBatch.BATCH_BYTES_LIMIT + FRAME_OVERHEAD_BYTES);
    public static final Setting<Integer> FETCH_MAX_BYTES = Setting.bytesInt("fetchMaxBytes", 4 * 1024 * 1024,
            "cap on batch bytes in one FETCH answer (one batch is always returned)").range(1, Integer.MAX_VALUE);
    public static final Setting<Long> RETENTION_CHECK_INTERVAL_MS = Setting.millis("retentionCheckIntervalMs",
            5 * 60 * 1000, "how often retention runs").range(1, Long.MAX_VALUE);
    public static final Setting<Integer> PARTITIONS_MAX_PER_TOPIC = Setting.integer("partitionsMaxPerTopic", 1024,
            "partitions one topic may have").range(1, Protocol.MAX_PARTITIONS_PER_TOPIC);
    public static final Setting<Integer> TOPICS_MAX = Setting.integer("topicsMax", 10_000,
            "topics, dead-letter topics included").range(1, 1_000_000);
    public static final Setting<Integer> PRODUCERS_MAX = Setting.integer("producersMax",
            ProducerRegistry.PRODUCERS_MAX_DEFAULT,
            "idempotent producer names registered broker-wide (TOO_MANY_PRODUCERS above)").range(1, 1_000_000);
    public static final Setting<Integer> PRODUCERS_MAX_PER_PARTITION = Setting.integer("producersMaxPerPartition",
            10_000, "producers whose dedup state one partition keeps").range(1, 1_000_000);
    // Up to ten years: twice it (the removal) must not overflow a millisecond count. 7 days as Kafka's
    // transactional.id.expiration.ms.
    public static final Setting<Long> PRODUCER_IDLE_EXPIRY_MS = Setting.millis("producerIdleExpiryMs",
            7L * 24 * 60 * 60 * 1000, "a producer name with no INIT_PRODUCER or PRODUCE for this long expires: its "
                    + "dedup state is dropped and its next batch gets DEDUP_STATE_UNKNOWN; it is removed after as "
                    + "long again").range(1, 3650L * 24 * 60 * 60 * 1000);
    public static final Setting<Long> PRODUCER_EXPIRY_CHECK_INTERVAL_MS = Setting.millis(
            "producerExpiryCheckIntervalMs", 60_000, "how often idle producers are expired and activity times "
                    + "persisted").range(1, 24L * 60 * 60 * 1000);
    public static final Setting<Integer> PENDING_REQUESTS_MAX_PER_PARTITION = Setting.integer(
            "pendingRequestsMaxPerPartition", GroupCommitLog.PENDING_REQUESTS_MAX_DEFAULT,
            "queued appends and reads per partition writer before THROTTLED").range(1, 1 << 24);
    public static final Setting<Long> FLUSH_INTERVAL_MS = Setting.millis("flushIntervalMs", 0,
            "0: fsync before every confirm (default, the only setting that survives power loss). N: confirm after "
                    + "the write, fsync every N ms; a machine crash may lose up to N ms of confirmed data (a killed "
                    + "process loses nothing)").range(0, 24L * 60 * 60 * 1000);
    public static final Setting<Long> SHUTDOWN_TIMEOUT_MS = Setting.millis("shutdownTimeoutMs", 10_000,
            "how long a clean shutdown waits for in-flight requests");
    public static final Setting<Long> GROUP_TICK_MS = Setting.millis("groupTickMs", 100,
            "how often member sessions and ack deadlines are checked").range(1, 60_000);
    public static final Setting<Long> GROUP_LOG_COMPACT_BYTES = Setting.bytes("groupLogCompactBytes",
            64L * 1024 * 1024, "group-log bytes appended since the last snapshot that trigger compaction")
            .range(1024, 1L << 40);
    public static final Setting<Integer> METRICS_PORT = Setting.integer("metricsPort", -1,
            "HTTP port of `/metrics` (Prometheus text) and `/health/live`, `/health/ready` on `host`; "
                    + "0 picks a free port (docs/operations.md)").range(0, 65_535).minusOne("off").flag("--metrics-port");

    /** Every broker setting: the broker's own, the partition log's and the consumer groups'. */
    public static final ConfigDef DEF = ConfigDef.of("broker", DATA_DIR, BROKER_ID, HOST, PORT,
                    MAX_CONNECTIONS, MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, IO_THREADS, MAX_FRAME_BYTES,
                    FETCH_MAX_BYTES, RETENTION_CHECK_INTERVAL_MS, PARTITIONS_MAX_PER_TOPIC, TOPICS_MAX, PRODUCERS_MAX,
                    PRODUCERS_MAX_PER_PARTITION, PRODUCER_IDLE_EXPIRY_MS, PRODUCER_EXPIRY_CHECK_INTERVAL_MS,
                    PENDING_REQUESTS_MAX_PER_PARTITION, FLUSH_INTERVAL_MS,
                    SHUTDOWN_TIMEOUT_MS, GROUP_TICK_MS, GROUP_LOG_COMPACT_BYTES, METRICS_PORT)
            .include(LogConfig.DEF)
            .include(GroupConfig.DEF)
            .rule(ConfigDef.Rule.atMost(LogConfig.MAX_BATCH_BYTES, MAX_FRAME_BYTES, FRAME_OVERHEAD_BYTES,
                    "a batch must fit a PRODUCE frame and a FETCH answer"))
            .rule(ConfigDef.Rule.atMost(FETCH_MAX_BYTES, MAX_FRAME_BYTES, FRAME_OVERHEAD_BYTES,
                    "a FETCH answer must fit a frame"));

    private final ConfigValues values;
    private final SecurityConfig security;
    private final LogConfig logConfig;
    private final GroupConfig groupConfig;

    private BrokerConfig(ConfigValues values, SecurityConfig security) {
        this.values = DEF.validate(values);
        this.security = Objects.requireNonNull(security, "security");
        this.logConfig = LogConfig.from(values);
        this.groupConfig = GroupConfig.from(values);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(ConfigValues.empty(), SecurityConfig.none()).dataDir(dataDir);
    }

    /**
     * Reads {@code file} (Java properties, UTF-8) and applies {@code overrides} on top, for example
     * the command line's flags. Keys are the names in {@link #DEF} (docs/broker.md).
     *
     * @param file a properties file, or null for none
     * @throws IllegalArgumentException for an unknown key or a bad value, naming the key
     */
    public static BrokerConfig load(Path file, Map<String, String> overrides) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k).trim()));
        }
        values.putAll(overrides);
        return fromMap(values);
    }

    /** Builds from key/value strings (see {@link #load}). */
    public static BrokerConfig fromMap(Map<String, String> values) {
        // The tls.* and security.* keys belong to SecurityConfig (docs/security.md); the rest to DEF.
        Map<String, String> own = new LinkedHashMap<>(values);
        own.keySet().removeIf(SecurityConfig::owns);
        return new BrokerConfig(DEF.parse(own), SecurityConfig.fromMap(values));
    }

    /** The value of any broker setting (its default when not set). */
    public <T> T get(Setting<T> setting) {
        if (!DEF.contains(setting)) {
            throw new IllegalArgumentException(setting.name() + " is not a broker setting");
        }
        return values.get(setting);
    }

    /** All values set explicitly; for composing configurations. */
    public ConfigValues values() {
        return values;
    }

    public Path dataDir() {
        return values.get(DATA_DIR);
    }

    public String brokerId() {
        return values.get(BROKER_ID);
    }

    public String host() {
        return values.get(HOST);
    }

    /** The configured port; 0 means ephemeral (see {@link Broker#port()} for the bound one). */
    public int port() {
        return values.get(PORT);
    }

    /** The metrics and health HTTP port; -1 when off, 0 for a free one ({@link Broker#metricsPort()}). */
    public int metricsPort() {
        return values.get(METRICS_PORT);
    }

    /** TLS, authentication and ACL settings (the {@code tls.*} and {@code security.*} keys). */
    public SecurityConfig security() {
        return security;
    }

    public int maxConnections() {
        return values.get(MAX_CONNECTIONS);
    }

    public int maxInFlightRequestsPerConnection() {
        return values.get(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
    }

    public int ioThreads() {
        return values.get(IO_THREADS);
    }

    public int maxFrameBytes() {
        return values.get(MAX_FRAME_BYTES);
    }

    public int maxBatchBytes() {
        return logConfig.maxBatchBytes();
    }

    public int maxRecordBytes() {
        return logConfig.maxRecordBytes();
    }

    public int fetchMaxBytes() {
        return values.get(FETCH_MAX_BYTES);
    }

    public int partitionsMaxPerTopic() {
        return values.get(PARTITIONS_MAX_PER_TOPIC);
    }

    public int topicsMax() {
        return values.get(TOPICS_MAX);
    }

    public int producersMax() {
        return values.get(PRODUCERS_MAX);
    }

    public int producersMaxPerPartition() {
        return values.get(PRODUCERS_MAX_PER_PARTITION);
    }

    /** Idle time after which a producer registration expires, ms. */
    public long producerIdleExpiryMs() {
        return values.get(PRODUCER_IDLE_EXPIRY_MS);
    }

    public long producerExpiryCheckIntervalMs() {
        return values.get(PRODUCER_EXPIRY_CHECK_INTERVAL_MS);
    }

    public int pendingRequestsMaxPerPartition() {
        return values.get(PENDING_REQUESTS_MAX_PER_PARTITION);
    }

    public long retentionCheckIntervalMs() {
        return values.get(RETENTION_CHECK_INTERVAL_MS);
    }

    public long shutdownTimeoutMs() {
        return values.get(SHUTDOWN_TIMEOUT_MS);
    }

    public long flushIntervalMs() {
        return values.get(FLUSH_INTERVAL_MS);
    }

    public FlushPolicy flushPolicy() {
        long ms = flushIntervalMs();
        return ms == 0 ? FlushPolicy.everyBatch() : FlushPolicy.intervalMs(ms);
    }

    /** Group-log bytes since the last snapshot that trigger compaction. */
    public long groupLogCompactBytes() {
        return values.get(GROUP_LOG_COMPACT_BYTES);
    }

    /** How often the group coordinator ticks (expires members and ack deadlines), ms. */
    public long groupTickMs() {
        return values.get(GROUP_TICK_MS);
    }

    /** The consumer-group settings ({@link GroupConfig#DEF}, part of the broker's). */
    public GroupConfig groupConfig() {
        return groupConfig;
    }

    /** The per-partition log settings ({@link LogConfig#DEF}, part of the broker's). */
    public LogConfig logConfig() {
        return logConfig;
    }

    public Builder toBuilder() {
        return new Builder(values, security);
    }

    /** Every setting with its value, units shown, the password hidden. */
    @Override
    public String toString() {
        return "BrokerConfig{" + DEF.describe(values) + ", " + security + "}";
    }

    /**
     * Mutable, not thread-safe; starts from the defaults. {@link #build()} validates. The named
     * methods are shorthands of {@link #set(Setting, Object)}.
     */
    public static final class Builder {
        private ConfigValues values;
        private SecurityConfig security;

        private Builder(ConfigValues values, SecurityConfig security) {
            this.values = values;
            this.security = security;
        }

        /** Sets any broker setting (see {@link BrokerConfig#DEF}); null returns it to its default. */
        public <T> Builder set(Setting<T> setting, T value) {
            if (!DEF.contains(setting)) {
                throw new IllegalArgumentException(setting.name() + " is not a broker setting");
            }
            values = values.with(setting, value);
            return this;
        }

        public Builder dataDir(Path v) {
            return set(DATA_DIR, Objects.requireNonNull(v, "dataDir"));
        }

        public Builder brokerId(String v) {
            return set(BROKER_ID, v);
        }

        public Builder host(String v) {
            return set(HOST, v);
        }

        public Builder port(int v) {
            return set(PORT, v);
        }

        /** Metrics and health HTTP port: -1 off (default), 0 a free one. */
        public Builder metricsPort(int v) {
            return set(METRICS_PORT, v);
        }

        /** TLS, SCRAM authentication and ACLs; {@link SecurityConfig#none()} by default. */
        public Builder security(SecurityConfig v) {
            security = Objects.requireNonNull(v, "security");
            return this;
        }

        public Builder maxConnections(int v) {
            return set(MAX_CONNECTIONS, v);
        }

        public Builder maxInFlightRequestsPerConnection(int v) {
            return set(MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, v);
        }

        public Builder ioThreads(int v) {
            return set(IO_THREADS, v);
        }

        public Builder maxFrameBytes(int v) {
            return set(MAX_FRAME_BYTES, v);
        }

        public Builder maxBatchBytes(int v) {
            return set(LogConfig.MAX_BATCH_BYTES, v);
        }

        public Builder maxRecordBytes(int v) {
            return set(LogConfig.MAX_RECORD_BYTES, v);
        }

        public Builder fetchMaxBytes(int v) {
            return set(FETCH_MAX_BYTES, v);
        }

        public Builder segmentBytes(int v) {
            return set(LogConfig.SEGMENT_BYTES, v);
        }

        public Builder retentionBytes(long v) {
            return set(LogConfig.RETENTION_BYTES, v);
        }

        public Builder retentionMs(long v) {
            return set(LogConfig.RETENTION_MS, v);
        }

        public Builder retentionCheckIntervalMs(long v) {
            return set(RETENTION_CHECK_INTERVAL_MS, v);
        }

        public Builder partitionsMaxPerTopic(int v) {
            return set(PARTITIONS_MAX_PER_TOPIC, v);
        }

        public Builder topicsMax(int v) {
            return set(TOPICS_MAX, v);
        }

        public Builder producersMax(int v) {
            return set(PRODUCERS_MAX, v);
        }

        public Builder producersMaxPerPartition(int v) {
            return set(PRODUCERS_MAX_PER_PARTITION, v);
        }

        public Builder producerIdleExpiryMs(long v) {
            return set(PRODUCER_IDLE_EXPIRY_MS, v);
        }

        public Builder producerExpiryCheckIntervalMs(long v) {
            return set(PRODUCER_EXPIRY_CHECK_INTERVAL_MS, v);
        }

        public Builder pendingRequestsMaxPerPartition(int v) {
            return set(PENDING_REQUESTS_MAX_PER_PARTITION, v);
        }

        /** 0 = fsync before confirm (default); N = confirm after write, fsync every N ms. */
        public Builder flushIntervalMs(long v) {
            return set(FLUSH_INTERVAL_MS, v);
        }

        public Builder shutdownTimeoutMs(long v) {
            return set(SHUTDOWN_TIMEOUT_MS, v);
        }

        public Builder ackTimeoutMs(long v) {
            return set(GroupConfig.ACK_TIMEOUT_MS, v);
        }

        public Builder maxDeliveries(int v) {
            return set(GroupConfig.MAX_DELIVERIES, v);
        }

        public Builder nackBackoffMs(long v) {
            return set(GroupConfig.NACK_BACKOFF_MS, v);
        }

        public Builder nackBackoffMaxMs(long v) {
            return set(GroupConfig.NACK_BACKOFF_MAX_MS, v);
        }

        /** Session timeout of a join that asks for none (0). */
        public Builder sessionTimeoutMs(long v) {
            return set(GroupConfig.SESSION_TIMEOUT_MS, v);
        }

        public Builder sessionTimeoutMinMs(long v) {
            return set(GroupConfig.SESSION_TIMEOUT_MIN_MS, v);
        }

        public Builder sessionTimeoutMaxMs(long v) {
            return set(GroupConfig.SESSION_TIMEOUT_MAX_MS, v);
        }

        public Builder maxUnackedPerMember(int v) {
            return set(GroupConfig.MAX_UNACKED_PER_MEMBER, v);
        }

        /** Most messages one POLL may ask for; a POLL asking more is refused INVALID_REQUEST, its acks unapplied. */
        public Builder pollMessagesMax(int v) {
            return set(GroupConfig.POLL_MESSAGES_MAX, v);
        }

        public Builder groupTickMs(long v) {
            return set(GROUP_TICK_MS, v);
        }

        public Builder groupLogCompactBytes(long v) {
            return set(GROUP_LOG_COMPACT_BYTES, v);
        }

        /** @throws IllegalArgumentException naming the key, its value and what is allowed */
        public BrokerConfig build() {
            return new BrokerConfig(values, security);
        }
    }
}
