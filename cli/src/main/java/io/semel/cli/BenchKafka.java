package io.semel.cli;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.KafkaBrokerChild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Apache Kafka a {@code semel bench ... --kafka} run compares against: one KRaft node (broker and controller)
 * in a child JVM, started with the verify module's {@link KafkaBrokerChild} (the same main the {@code verify}
 * Kafka engine runs three of) from the Kafka artifacts inside the semel jar, on loopback ports chosen at start,
 * with its data in a temporary directory deleted at close. Replication factor 1 everywhere.
 *
 * <p>Durability: {@link Durability#PAGE_CACHE} is Kafka's default (acks=all confirms once the record is in the
 * page cache of the in-sync replicas; here one); {@link Durability#FSYNC_PER_APPEND} sets
 * {@code log.flush.interval.messages=1} for the whole broker, so every append of every log (topics, consumer
 * offsets, transaction state) is forced before it is acknowledged, as Semel does by default.
 *
 * <p>Not thread-safe for start/close; the clients it creates are the caller's.
 */
final class BenchKafka implements AutoCloseable {
    /** The broker JVM's heap; Kafka's own scripts default to 1 GB, a single bench node needs less. */
    static final int HEAP_MB = 512;
    /** Start-up (format, quorum of one, registration) on a loaded 2-core machine. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    static final long ADMIN_TIMEOUT_MS = 60_000;

    /** When Kafka forces its logs to disk. */
    enum Durability {
        PAGE_CACHE("page cache (Kafka default: no fsync before the ack)"),
        FSYNC_PER_APPEND("fsync per append (log.flush.interval.messages=1)");

        final String description;

        Durability(String description) {
            this.description = description;
        }
    }

    private final Path dir;
    private final ChildProcess process;
    private final String bootstrap;
    private final Durability durability;
    private final Admin admin;

    private BenchKafka(Path dir, ChildProcess process, String bootstrap, Durability durability) {
        this.dir = dir;
        this.process = process;
        this.bootstrap = bootstrap;
        this.durability = durability;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS));
    }

    /** Starts the node under {@code parent} (a new temporary directory there) and waits until it serves. */
    static BenchKafka start(Path parent, Durability durability) throws IOException {
        Path dir = Files.createTempDirectory(parent, "semel-bench-kafka-");
        int brokerPort = freePort();
        int controllerPort = freePort();
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false"));
        if (durability == Durability.FSYNC_PER_APPEND) {
            lines.add("log.flush.interval.messages=1");
        }
        Path config = dir.resolve("server.properties");
        Files.write(config, lines);
        ChildSpec spec = ChildSpec.of("kafka", KafkaBrokerChild.class.getName(), dir, KafkaBrokerChild.READY)
                .withArgs(List.of("--config", config.toString(), "--cluster-id", Uuid.randomUuid().toString()))
                .withSystemProperties(Map.of("org.slf4j.simpleLogger.defaultLogLevel", "warn", "log4j2.level", "WARN"))
                .withHeapMb(HEAP_MB).withReadyTimeout(READY_TIMEOUT);
        ChildProcess process;
        try {
            process = ChildProcess.start(spec, ProcessListener.NONE);
        } catch (IOException e) {
            deleteTree(dir);
            throw new IOException("the benchmark's Kafka node did not start: " + e.getMessage(), e);
        }
        return new BenchKafka(dir, process, "127.0.0.1:" + brokerPort, durability);
    }

    /** The short name of a durability in result lines. */
    static String label(Durability d) {
        return d == Durability.PAGE_CACHE ? "page-cache" : "fsync-per-append";
    }

    String bootstrap() {
        return bootstrap;
    }

    /** The node's own directory: its config and its log dir. */
    Path dir() {
        return dir;
    }

    /** For setup lines. */
    String description() {
        return "Apache Kafka " + org.apache.kafka.common.utils.internals.AppInfoParser.getVersion() + ", 1 KRaft node (child JVM, "
                + HEAP_MB + " MB heap), " + durability.description + ", data dir " + dir;
    }

    /** Creates a topic (replication factor 1) and waits until every partition has a leader. */
    void createTopic(String name, int partitions) throws IOException {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ADMIN_TIMEOUT_MS);
            while (true) {
                TopicDescription d = null;
                try {
                    d = admin.describeTopics(List.of(name)).allTopicNames().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                            .get(name);
                } catch (ExecutionException e) {
                    // Created, but not yet in the metadata the broker answers from: not ready yet.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (d != null && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("Kafka topic " + name + " has partitions without a leader after "
                            + ADMIN_TIMEOUT_MS + " ms");
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("creating Kafka topic " + name + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating Kafka topic " + name, e);
        }
    }

    /**
     * The finalized {@code share.version} feature level (KIP-932 share groups), 0 when the cluster has not
     * enabled share groups.
     */
    short shareVersion() throws IOException {
        try {
            FeatureMetadata f = admin.describeFeatures().featureMetadata().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            var v = f.finalizedFeatures().get("share.version");
            return v == null ? 0 : v.maxVersionLevel();
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("describing Kafka's features failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Sets the share group's {@code share.auto.offset.reset} to earliest: a new share group otherwise starts at the
     * end of the log and would miss records sent before its first member got its assignment.
     */
    void shareGroupFromEarliest(String group) throws IOException {
        ConfigResource r = new ConfigResource(ConfigResource.Type.GROUP, group);
        try {
            admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(
                    new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("setting share.auto.offset.reset of share group " + group + " failed: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A share consumer (KIP-932) in {@code group} with explicit acknowledgement, byte arrays. */
    KafkaShareConsumer<byte[], byte[]> shareConsumer(String group) {
        return shareConsumer(group, 500);
    }

    /** Like {@link #shareConsumer(String)}, with {@code max.poll.records}. */
    KafkaShareConsumer<byte[], byte[]> shareConsumer(String group, int maxPollRecords) {
        Properties p = new Properties();
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put("share.acknowledgement.mode", "explicit");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaShareConsumer<>(p);
    }

    /** An idempotent producer, acks=all, byte arrays; {@code overrides} on top. The caller closes it. */
    KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(overrides);
        return new KafkaProducer<>(p);
    }

    /** A consumer (no auto commit, earliest, read_committed), byte arrays; {@code overrides} on top. */
    KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putAll(overrides);
        return new KafkaConsumer<>(p);
    }

    /** Every partition of {@code topic}, for a consumer that assigns itself all of them. */
    static List<TopicPartition> partitionsOf(String topic, int partitions) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        return tps;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the benchmark's Kafka node", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Kills the node (a bench has nothing to flush) and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            process.close();
            deleteTree(dir);
        }
    }
}
