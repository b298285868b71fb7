package io.semel.broker;

import io.semel.broker.group.GroupConfig;
import io.semel.broker.security.SecurityConfig;
import io.semel.log.FlushPolicy;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogConfig;
import io.semel.log.producer.ProducerRegistry;
import io.semel.protocol.Protocol;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Broker settings. Immutable and thread-safe; built with {@link #builder(Path)} or loaded from a
 * properties file with {@link #load}. Every size ends in {@code Bytes}, every duration in
 * {@code Ms}; in a properties file a size may carry a unit ({@code 512KiB}, {@code 8MiB},
 * {@code 1GiB}) and a duration one of {@code ms, s, min, h, d}. The same table, for users, is in
 * {@code docs/broker.md}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>dataDir</td><td>(required)</td><td>directory of topics and producer state</td></tr>
 *   <tr><td>brokerId</td><td>semel</td><td>name announced in HELLO</td></tr>
 *   <tr><td>host</td><td>127.0.0.1</td><td>address to listen on</td></tr>
 *   <tr><td>port</td><td>7471</td><td>TCP port; 0 picks a free one ({@link Broker#port()})</td></tr>
 *   <tr><td>tls.*, security.*</td><td>off</td><td>TLS, SCRAM authentication and ACLs: see
 *       {@link SecurityConfig} and {@code docs/security.md}</td></tr>
 *   <tr><td>maxConnections</td><td>1024</td><td>open client connections; more are closed at once</td></tr>
 *   <tr><td>maxInFlightRequestsPerConnection</td><td>1024</td><td>unanswered requests per connection
 *       before the broker stops reading from it</td></tr>
 *   <tr><td>ioThreads</td><td>min(4, cpus)</td><td>event-loop threads serving connections</td></tr>
 *   <tr><td>maxFrameBytes</td><td>8 MiB</td><td>largest frame length field accepted</td></tr>
 *   <tr><td>maxBatchBytes</td><td>4 MiB</td><td>largest record batch in PRODUCE</td></tr>
 *   <tr><td>maxRecordBytes</td><td>1 MiB</td><td>largest encoded record</td></tr>
 *   <tr><td>fetchMaxBytes</td><td>4 MiB</td><td>cap on batch bytes in one FETCH answer</td></tr>
 *   <tr><td>segmentBytes</td><td>64 MiB</td><td>log segment size before rolling</td></tr>
 *   <tr><td>retentionBytes</td><td>-1 (unlimited)</td><td>per-partition size retention</td></tr>
 *   <tr><td>retentionMs</td><td>7 d</td><td>age retention; -1 unlimited</td></tr>
 *   <tr><td>retentionCheckIntervalMs</td><td>5 min</td><td>how often retention runs</td></tr>
 *   <tr><td>partitionsMaxPerTopic</td><td>1024</td><td>partitions one topic may have</td></tr>
 *   <tr><td>topicsMax</td><td>10000</td><td>topics, dead-letter topics included</td></tr>
 *   <tr><td>producersMax</td><td>100000</td><td>producer names registered broker-wide</td></tr>
 *   <tr><td>producersMaxPerPartition</td><td>10000</td><td>producers whose dedup state a partition keeps</td></tr>
 *   <tr><td>pendingRequestsMaxPerPartition</td><td>16384</td><td>queued appends and reads per
 *       partition writer before THROTTLED</td></tr>
 *   <tr><td>flushIntervalMs</td><td>0</td><td>0 = fsync before confirming (default, safe); N &gt; 0 =
 *       confirm after write, fsync every N ms (a machine crash may lose confirmed data)</td></tr>
 *   <tr><td>shutdownTimeoutMs</td><td>10 s</td><td>how long close waits for in-flight requests</td></tr>
 *   <tr><td>ackTimeoutMs</td><td>30 s</td><td>a group delivery not acked in this time is redelivered</td></tr>
 *   <tr><td>maxDeliveries</td><td>5</td><td>deliveries of one message before it goes to {@code <topic>.dlq}</td></tr>
 *   <tr><td>nackBackoffMs, nackBackoffMaxMs</td><td>100 ms, 10 s</td><td>redelivery delay after a nack,
 *       doubling per delivery, capped</td></tr>
 *   <tr><td>sessionTimeoutMs, sessionTimeoutMinMs, sessionTimeoutMaxMs</td><td>10 s, 1 s, 300 s</td><td>default
 *       and allowed range of a group member's session timeout</td></tr>
 *   <tr><td>maxUnackedPerMember</td><td>1000</td><td>unacked deliveries a member may hold</td></tr>
 *   <tr><td>groupTickMs</td><td>100 ms</td><td>how often member sessions and ack deadlines are checked</td></tr>
 *   <tr><td>groupLogCompactBytes</td><td>64 MiB</td><td>group-log bytes since the last snapshot that trigger compaction</td></tr>
 * </table>
 */
public final class BrokerConfig {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7471;
    /** Room a FETCH answer or PRODUCE request needs beyond its batches: headers, topic name. */
    public static final int FRAME_OVERHEAD_BYTES = 1024;

    private static final long KIB = 1024;
    private static final Set<String> KEYS = Set.of("dataDir", "brokerId", "host", "port",
            "maxConnections", "maxInFlightRequestsPerConnection", "ioThreads", "maxFrameBytes", "maxBatchBytes",
            "maxRecordBytes", "fetchMaxBytes", "segmentBytes", "retentionBytes", "retentionMs",
            "retentionCheckIntervalMs", "partitionsMaxPerTopic", "topicsMax", "producersMax",
            "producersMaxPerPartition", "pendingRequestsMaxPerPartition", "flushIntervalMs", "shutdownTimeoutMs",
            "ackTimeoutMs", "maxDeliveries", "nackBackoffMs", "nackBackoffMaxMs", "sessionTimeoutMs",
            "sessionTimeoutMinMs", "sessionTimeoutMaxMs", "maxUnackedPerMember", "groupTickMs", "groupLogCompactBytes");

    private final Builder b;

    private BrokerConfig(Builder b) {
        this.b = b.copy();
    }

    public static Builder builder(Path dataDir) {
        return new Builder().dataDir(dataDir);
    }

    /**
     * Reads {@code file} (Java properties, UTF-8) and applies {@code overrides} on top, for example
     * the command line's flags. Keys are the names in the class table.
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
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(KEYS);
        unknown.removeIf(SecurityConfig::owns); // security: tls.* and security.* keys belong to SecurityConfig
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown broker setting(s) " + unknown + "; known keys are "
                    + new TreeSet<>(KEYS));
        }
        String dataDir = values.get("dataDir");
        if (dataDir == null || dataDir.isBlank()) {
            throw new IllegalArgumentException("dataDir is required: the directory for topics and producer state");
        }
        Builder b = builder(Path.of(dataDir));
        Parser p = new Parser(values);
        p.string("brokerId", b::brokerId);
        p.string("host", b::host);
        p.integer("port", false, b::port);
        b.security(SecurityConfig.fromMap(values)); // security
        p.integer("maxConnections", false, b::maxConnections);
        p.integer("maxInFlightRequestsPerConnection", false, b::maxInFlightRequestsPerConnection);
        p.integer("ioThreads", false, b::ioThreads);
        p.integer("maxFrameBytes", true, b::maxFrameBytes);
        p.integer("maxBatchBytes", true, b::maxBatchBytes);
        p.integer("maxRecordBytes", true, b::maxRecordBytes);
        p.integer("fetchMaxBytes", true, b::fetchMaxBytes);
        p.integer("segmentBytes", true, b::segmentBytes);
        p.bytes("retentionBytes", b::retentionBytes);
        p.millis("retentionMs", b::retentionMs);
        p.millis("retentionCheckIntervalMs", b::retentionCheckIntervalMs);
        p.integer("partitionsMaxPerTopic", false, b::partitionsMaxPerTopic);
        p.integer("topicsMax", false, b::topicsMax);
        p.integer("producersMax", false, b::producersMax);
        p.integer("producersMaxPerPartition", false, b::producersMaxPerPartition);
        p.integer("pendingRequestsMaxPerPartition", false, b::pendingRequestsMaxPerPartition);
        p.millis("flushIntervalMs", b::flushIntervalMs);
        p.millis("shutdownTimeoutMs", b::shutdownTimeoutMs);
        p.millis("ackTimeoutMs", b::ackTimeoutMs);
        p.integer("maxDeliveries", false, b::maxDeliveries);
        p.millis("nackBackoffMs", b::nackBackoffMs);
        p.millis("nackBackoffMaxMs", b::nackBackoffMaxMs);
        p.millis("sessionTimeoutMs", b::sessionTimeoutMs);
        p.millis("sessionTimeoutMinMs", b::sessionTimeoutMinMs);
        p.millis("sessionTimeoutMaxMs", b::sessionTimeoutMaxMs);
        p.integer("maxUnackedPerMember", false, b::maxUnackedPerMember);
        p.millis("groupTickMs", b::groupTickMs);
        p.bytes("groupLogCompactBytes", b::groupLogCompactBytes);
        return b.build();
    }

    public Path dataDir() {
        return b.dataDir;
    }

    public String brokerId() {
        return b.brokerId;
    }

    public String host() {
        return b.host;
    }

    /** The configured port; 0 means ephemeral (see {@link Broker#port()} for the bound one). */
    public int port() {
        return b.port;
    }

    /** TLS, authentication and ACL settings (the {@code tls.*} and {@code security.*} keys). */
    public SecurityConfig security() {
        return b.security;
    }

    public int maxConnections() {
        return b.maxConnections;
    }

    public int maxInFlightRequestsPerConnection() {
        return b.maxInFlightRequestsPerConnection;
    }

    public int ioThreads() {
        return b.ioThreads;
    }

    public int maxFrameBytes() {
        return b.maxFrameBytes;
    }

    public int maxBatchBytes() {
        return b.maxBatchBytes;
    }

    public int maxRecordBytes() {
        return b.maxRecordBytes;
    }

    public int fetchMaxBytes() {
        return b.fetchMaxBytes;
    }

    public int partitionsMaxPerTopic() {
        return b.partitionsMaxPerTopic;
    }

    public int topicsMax() {
        return b.topicsMax;
    }

    public int producersMax() {
        return b.producersMax;
    }

    public int producersMaxPerPartition() {
        return b.producersMaxPerPartition;
    }

    public int pendingRequestsMaxPerPartition() {
        return b.pendingRequestsMaxPerPartition;
    }

    public long retentionCheckIntervalMs() {
        return b.retentionCheckIntervalMs;
    }

    public long shutdownTimeoutMs() {
        return b.shutdownTimeoutMs;
    }

    public long flushIntervalMs() {
        return b.flushIntervalMs;
    }

    public FlushPolicy flushPolicy() {
        return b.flushIntervalMs == 0 ? FlushPolicy.everyBatch() : FlushPolicy.intervalMs(b.flushIntervalMs);
    }

    /** How often the group coordinator ticks (expires members and ack deadlines), ms. */
    public long groupLogCompactBytes() {
        return b.groupLogCompactBytes;
    }

    public long groupTickMs() {
        return b.groupTickMs;
    }

    /** The consumer-group settings these keys imply (other group limits keep their defaults). */
    public GroupConfig groupConfig() {
        return b.groupConfig();
    }

    /** The per-partition log settings these keys imply. */
    public LogConfig logConfig() {
        return LogConfig.builder().segmentBytes(b.segmentBytes).maxBatchBytes(b.maxBatchBytes)
                .maxRecordBytes(b.maxRecordBytes).retentionBytes(b.retentionBytes).retentionMs(b.retentionMs)
                .build();
    }

    public Builder toBuilder() {
        return b.copy();
    }

    @Override
    public String toString() {
        return "BrokerConfig{dataDir=" + b.dataDir + ", brokerId=" + b.brokerId + ", listen=" + b.host + ":" + b.port
                + ", " + b.security + ", maxConnections="
                + b.maxConnections + ", maxFrameBytes=" + b.maxFrameBytes + ", maxBatchBytes=" + b.maxBatchBytes
                + ", fetchMaxBytes=" + b.fetchMaxBytes + ", flush=" + flushPolicy() + ", " + logConfig() + "}";
    }

    /** Mutable, not thread-safe; starts from the defaults. {@link #build()} validates. */
    public static final class Builder {
        private Path dataDir;
        private String brokerId = "semel";
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private SecurityConfig security = SecurityConfig.none();
        private int maxConnections = 1024;
        private int maxInFlightRequestsPerConnection = 1024;
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int maxFrameBytes = Protocol.MAX_FRAME_BYTES_DEFAULT;
        private int maxBatchBytes = LogConfig.DEFAULT_MAX_BATCH_BYTES;
        private int maxRecordBytes = LogConfig.DEFAULT_MAX_RECORD_BYTES;
        private int fetchMaxBytes = 4 * 1024 * 1024;
        private int segmentBytes = LogConfig.DEFAULT_SEGMENT_BYTES;
        private long retentionBytes = LogConfig.DEFAULT_RETENTION_BYTES;
        private long retentionMs = LogConfig.DEFAULT_RETENTION_MS;
        private long retentionCheckIntervalMs = 5 * 60 * 1000;
        private int partitionsMaxPerTopic = 1024;
        private int topicsMax = 10_000;
        private int producersMax = ProducerRegistry.PRODUCERS_MAX_DEFAULT;
        private int producersMaxPerPartition = 10_000;
        private int pendingRequestsMaxPerPartition = GroupCommitLog.PENDING_REQUESTS_MAX_DEFAULT;
        private long flushIntervalMs = 0;
        private long shutdownTimeoutMs = 10_000;
        private long ackTimeoutMs = 30_000;
        private int maxDeliveries = 5;
        private long nackBackoffMs = 100;
        private long nackBackoffMaxMs = 10_000;
        private long sessionTimeoutMs = 10_000;
        private long sessionTimeoutMinMs = 1_000;
        private long sessionTimeoutMaxMs = 300_000;
        private int maxUnackedPerMember = 1_000;
        private long groupTickMs = 100;
        private long groupLogCompactBytes = 64L * 1024 * 1024;

        private Builder() {
        }

        private Builder copy() {
            Builder c = new Builder();
            c.dataDir = dataDir;
            c.brokerId = brokerId;
            c.host = host;
            c.port = port;
            c.security = security;
            c.maxConnections = maxConnections;
            c.maxInFlightRequestsPerConnection = maxInFlightRequestsPerConnection;
            c.ioThreads = ioThreads;
            c.maxFrameBytes = maxFrameBytes;
            c.maxBatchBytes = maxBatchBytes;
            c.maxRecordBytes = maxRecordBytes;
            c.fetchMaxBytes = fetchMaxBytes;
            c.segmentBytes = segmentBytes;
            c.retentionBytes = retentionBytes;
            c.retentionMs = retentionMs;
            c.retentionCheckIntervalMs = retentionCheckIntervalMs;
            c.partitionsMaxPerTopic = partitionsMaxPerTopic;
            c.topicsMax = topicsMax;
            c.producersMax = producersMax;
            c.producersMaxPerPartition = producersMaxPerPartition;
            c.pendingRequestsMaxPerPartition = pendingRequestsMaxPerPartition;
            c.flushIntervalMs = flushIntervalMs;
            c.shutdownTimeoutMs = shutdownTimeoutMs;
            c.ackTimeoutMs = ackTimeoutMs;
            c.maxDeliveries = maxDeliveries;
            c.nackBackoffMs = nackBackoffMs;
            c.nackBackoffMaxMs = nackBackoffMaxMs;
            c.sessionTimeoutMs = sessionTimeoutMs;
            c.sessionTimeoutMinMs = sessionTimeoutMinMs;
            c.sessionTimeoutMaxMs = sessionTimeoutMaxMs;
            c.maxUnackedPerMember = maxUnackedPerMember;
            c.groupTickMs = groupTickMs;
            c.groupLogCompactBytes = groupLogCompactBytes;
            return c;
        }

        public Builder dataDir(Path v) {
            dataDir = Objects.requireNonNull(v, "dataDir");
            return this;
        }

        public Builder brokerId(String v) {
            brokerId = v;
            return this;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        /** TLS, SCRAM authentication and ACLs; {@link SecurityConfig#none()} by default. */
        public Builder security(SecurityConfig v) {
            security = Objects.requireNonNull(v, "security");
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxInFlightRequestsPerConnection(int v) {
            maxInFlightRequestsPerConnection = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = v;
            return this;
        }

        public Builder maxBatchBytes(int v) {
            maxBatchBytes = v;
            return this;
        }

        public Builder maxRecordBytes(int v) {
            maxRecordBytes = v;
            return this;
        }

        public Builder fetchMaxBytes(int v) {
            fetchMaxBytes = v;
            return this;
        }

        public Builder segmentBytes(int v) {
            segmentBytes = v;
            return this;
        }

        public Builder retentionBytes(long v) {
            retentionBytes = v;
            return this;
        }

        public Builder retentionMs(long v) {
            retentionMs = v;
            return this;
        }

        public Builder retentionCheckIntervalMs(long v) {
            retentionCheckIntervalMs = v;
            return this;
        }

        public Builder partitionsMaxPerTopic(int v) {
            partitionsMaxPerTopic = v;
            return this;
        }

        public Builder topicsMax(int v) {
            topicsMax = v;
            return this;
        }

        public Builder producersMax(int v) {
            producersMax = v;
            return this;
        }

        public Builder producersMaxPerPartition(int v) {
            producersMaxPerPartition = v;
            return this;
        }

        public Builder pendingRequestsMaxPerPartition(int v) {
            pendingRequestsMaxPerPartition = v;
            return this;
        }

        /** 0 = fsync before confirm (default); N = confirm after write, fsync every N ms. */
        public Builder flushIntervalMs(long v) {
            flushIntervalMs = v;
            return this;
        }

        public Builder shutdownTimeoutMs(long v) {
            shutdownTimeoutMs = v;
            return this;
        }

        public Builder ackTimeoutMs(long v) {
            ackTimeoutMs = v;
            return this;
        }

        public Builder maxDeliveries(int v) {
            maxDeliveries = v;
            return this;
        }

        public Builder nackBackoffMs(long v) {
            nackBackoffMs = v;
            return this;
        }

        public Builder nackBackoffMaxMs(long v) {
            nackBackoffMaxMs = v;
            return this;
        }

        /** Session timeout of a join that asks for none (0). */
        public Builder sessionTimeoutMs(long v) {
            sessionTimeoutMs = v;
            return this;
        }

        public Builder sessionTimeoutMinMs(long v) {
            sessionTimeoutMinMs = v;
            return this;
        }

        public Builder sessionTimeoutMaxMs(long v) {
            sessionTimeoutMaxMs = v;
            return this;
        }

        public Builder maxUnackedPerMember(int v) {
            maxUnackedPerMember = v;
            return this;
        }

        public Builder groupTickMs(long v) {
            groupTickMs = v;
            return this;
        }

        public Builder groupLogCompactBytes(long v) {
            groupLogCompactBytes = v;
            return this;
        }

        private GroupConfig groupConfig() {
            return GroupConfig.builder().ackTimeoutMs(ackTimeoutMs).maxDeliveries(maxDeliveries)
                    .nackBackoffMs(nackBackoffMs).nackBackoffMaxMs(nackBackoffMaxMs).sessionTimeoutMs(sessionTimeoutMs)
                    .sessionTimeoutMinMs(sessionTimeoutMinMs).sessionTimeoutMaxMs(sessionTimeoutMaxMs)
                    .maxUnackedPerMember(maxUnackedPerMember).build();
        }

        /** @throws IllegalArgumentException naming the key, its value and what is allowed */
        public BrokerConfig build() {
            Objects.requireNonNull(dataDir, "dataDir");
            if (brokerId == null || brokerId.isBlank()) {
                throw new IllegalArgumentException("brokerId is empty; give the broker a name");
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host is empty; use an address such as 127.0.0.1 or 0.0.0.0");
            }
            require("port", port, 0, 65_535);
            require("maxConnections", maxConnections, 1, 1_000_000);
            require("maxInFlightRequestsPerConnection", maxInFlightRequestsPerConnection, 1, 1_000_000);
            require("ioThreads", ioThreads, 1, 1024);
            // 64 KiB leaves room for the largest valid request that is not a batch.
            require("maxFrameBytes", maxFrameBytes, 64 * KIB, RecordBatch.BATCH_BYTES_LIMIT + FRAME_OVERHEAD_BYTES);
            // A batch must fit a PRODUCE frame and a FETCH answer.
            require("maxBatchBytes", maxBatchBytes, RecordBatch.HEADER_BYTES + RecordBatch.RECORD_MIN_BYTES,
                    Math.min(RecordBatch.BATCH_BYTES_LIMIT, maxFrameBytes - FRAME_OVERHEAD_BYTES));
            require("maxRecordBytes", maxRecordBytes, RecordBatch.RECORD_MIN_BYTES, maxBatchBytes);
            require("fetchMaxBytes", fetchMaxBytes, 1, maxFrameBytes - FRAME_OVERHEAD_BYTES);
            require("segmentBytes", segmentBytes, 1, Integer.MAX_VALUE);
            requireOrUnlimited("retentionBytes", retentionBytes);
            requireOrUnlimited("retentionMs", retentionMs);
            require("retentionCheckIntervalMs", retentionCheckIntervalMs, 1, Long.MAX_VALUE);
            require("partitionsMaxPerTopic", partitionsMaxPerTopic, 1, Protocol.MAX_PARTITIONS_PER_TOPIC);
            require("topicsMax", topicsMax, 1, 1_000_000);
            require("producersMax", producersMax, 1, 1_000_000);
            require("producersMaxPerPartition", producersMaxPerPartition, 1, 1_000_000);
            require("pendingRequestsMaxPerPartition", pendingRequestsMaxPerPartition, 1, 1 << 24);
            require("flushIntervalMs", flushIntervalMs, 0, 24L * 60 * 60 * 1000);
            require("shutdownTimeoutMs", shutdownTimeoutMs, 0, Long.MAX_VALUE);
            require("groupTickMs", groupTickMs, 1, 60_000);
            require("groupLogCompactBytes", groupLogCompactBytes, 1024, 1L << 40);
            // Session timeouts go over the wire as int32 milliseconds.
            require("sessionTimeoutMaxMs", sessionTimeoutMaxMs, 1, Integer.MAX_VALUE);
            require("ackTimeoutMs", ackTimeoutMs, 1, 7L * 24 * 60 * 60 * 1000);
            groupConfig(); // validates the group keys, naming the key
            return new BrokerConfig(this);
        }

        private static void requireOrUnlimited(String key, long value) {
            if (value != LogConfig.UNLIMITED && value < 0) {
                throw new IllegalArgumentException(key + " is " + value + "; use -1 for unlimited or a value >= 0");
            }
        }

        private static void require(String key, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(key + " is " + value + "; allowed " + min + ".." + max);
            }
        }
    }

    /** Parses values with units; every error names the key. */
    private record Parser(Map<String, String> values) {
        void string(String key, java.util.function.Consumer<String> set) {
            String v = values.get(key);
            if (v != null) {
                set.accept(v.trim());
            }
        }

        void integer(String key, boolean sized, java.util.function.IntConsumer set) {
            String v = values.get(key);
            if (v == null) {
                return;
            }
            long parsed = sized ? parseBytes(key, v) : parseLong(key, v, v.trim());
            if (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + " is " + v + ", beyond " + Integer.MAX_VALUE);
            }
            set.accept((int) parsed);
        }

        void bytes(String key, java.util.function.LongConsumer set) {
            String v = values.get(key);
            if (v != null) {
                set.accept(parseBytes(key, v));
            }
        }

        void millis(String key, java.util.function.LongConsumer set) {
            String v = values.get(key);
            if (v != null) {
                set.accept(parseMillis(key, v));
            }
        }

        static long parseBytes(String key, String raw) {
            String v = raw.trim().toLowerCase(Locale.ROOT).replace(" ", "");
            long unit = 1;
            for (String[] u : new String[][] {{"gib", "1073741824"}, {"mib", "1048576"}, {"kib", "1024"}, {"b", "1"}}) {
                if (v.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    v = v.substring(0, v.length() - u[0].length());
                    break;
                }
            }
            return times(key, raw, parseLong(key, raw, v), unit);
        }

        static long parseMillis(String key, String raw) {
            String v = raw.trim().toLowerCase(Locale.ROOT).replace(" ", "");
            long unit = 1;
            for (String[] u : new String[][] {{"ms", "1"}, {"min", "60000"}, {"s", "1000"}, {"h", "3600000"},
                    {"d", "86400000"}}) {
                if (v.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    v = v.substring(0, v.length() - u[0].length());
                    break;
                }
            }
            return times(key, raw, parseLong(key, raw, v), unit);
        }

        private static long times(String key, String raw, long n, long unit) {
            // -1 means unlimited whatever the unit.
            if (n == -1) {
                return -1;
            }
            try {
                return Math.multiplyExact(n, unit);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(key + " is " + raw + ", which overflows", e);
            }
        }

        private static long parseLong(String key, String raw, String digits) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " is \"" + raw + "\", not a number (sizes may end in KiB, "
                        + "MiB or GiB; durations in ms, s, min, h or d)", e);
            }
        }
    }
}
