package io.semel.broker.internal;

import io.semel.broker.BrokerConfig;
import io.semel.log.FileStorage;
import io.semel.log.GroupCommitLog;
import io.semel.log.Partition;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.TopicNames;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every topic of the broker, under {@code <dataDir>/topics/<name>/}: a {@link TopicMetadata}
 * file and one directory per partition ({@code <name>/<partition>/}), each opened as a
 * {@link Partition} behind its own {@link GroupCommitLog} writer thread named
 * {@code partition-writer-<topic>-<p>}.
 *
 * <p>Creating topic {@code t} also creates its dead-letter topic {@code t.dlq} with one partition
 * (first, so a crash in between leaves the dead-letter topic, which the retry then keeps); a topic
 * whose name ends in {@code .dlq} gets none, and an existing {@code t.dlq} is kept as it is.
 *
 * <p>Creation order, crash-safe: partition directories, topic directory synced, metadata written
 * (temp, force, rename, directory sync: the commit point), {@code topics/} synced. A topic
 * directory without metadata is an unfinished creation (nothing can have been produced to it) and
 * is deleted on open.
 *
 * <p>Thread-safety: lookups and listing are thread-safe and never block. {@link #create} and
 * {@link #close} do blocking I/O and are serialised on this object's monitor: call them from the
 * broker's admin thread, never from an event loop.
 */
public final class TopicManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicManager.class);
    /** Suffix of the dead-letter topic created with every topic. */
    public static final String DLQ_SUFFIX = ".dlq";
    static final String TOPICS_DIR = "topics";

    private final BrokerConfig config;
    private final Clock clock;
    private final Path topicsDir;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final GroupCommitLog.RoundListener rounds;
    private boolean closed; // guarded by this

    private TopicManager(BrokerConfig config, Clock clock, Path topicsDir, GroupCommitLog.RoundListener rounds) {
        this.rounds = rounds;
        this.config = config;
        this.clock = clock;
        this.topicsDir = topicsDir;
    }

    /** Opens (recovers) every topic under {@code <dataDir>/topics}. */
    public static TopicManager open(BrokerConfig config, Clock clock) throws IOException {
        return open(config, clock, GroupCommitLog.RoundListener.NONE);
    }

    /** As {@link #open(BrokerConfig, Clock)}; every partition writer tells {@code rounds} of its rounds. */
    public static TopicManager open(BrokerConfig config, Clock clock, GroupCommitLog.RoundListener rounds)
            throws IOException {
        Path dir = config.dataDir().resolve(TOPICS_DIR);
        Files.createDirectories(dir);
        TopicManager manager = new TopicManager(config, clock, dir, rounds);
        try {
            manager.openAll();
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return manager;
    }

    private void openAll() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(topicsDir)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            if (!Files.exists(dir.resolve(TopicMetadata.FILE_NAME))) {
                LOG.warn("topic directory {} has no {}: an unfinished creation; deleting it", dir,
                        TopicMetadata.FILE_NAME);
                deleteRecursively(dir);
                continue;
            }
            TopicMetadata.Contents meta = TopicMetadata.read(new FileStorage(dir));
            for (int p = 0; p < meta.partitionCount(); p++) {
                if (!Files.isDirectory(dir.resolve(Integer.toString(p)))) {
                    throw new IOException("topic " + name + " has " + meta.partitionCount() + " partitions but "
                            + dir.resolve(Integer.toString(p)) + " is missing; restore it or delete the topic directory");
                }
            }
            topics.put(name, openPartitions(name, dir, meta));
        }
        LOG.info("opened {} topics from {}", topics.size(), topicsDir);
    }

    private Topic openPartitions(String name, Path dir, TopicMetadata.Contents meta) throws IOException {
        List<GroupCommitLog> logs = new ArrayList<>(meta.partitionCount());
        try {
            for (int p = 0; p < meta.partitionCount(); p++) {
                logs.add(startLog(name, p, dir.resolve(Integer.toString(p))));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(logs);
            throw e;
        }
        return new Topic(name, meta.createdMs(), logs);
    }

    private GroupCommitLog startLog(String topic, int partition, Path dir) throws IOException {
        FileStorage storage = new FileStorage(dir);
        String threadName = "partition-writer-" + topic + "-" + partition;
        return GroupCommitLog.start(
                () -> Partition.open(storage, config.logConfig(), config.producersMaxPerPartition(), clock),
                config.flushPolicy(), config.pendingRequestsMaxPerPartition(), r -> {
                    Thread t = new Thread(r, threadName);
                    // A JVM exit without close() is a crash, which recovery handles.
                    t.setDaemon(true);
                    return t;
                }, rounds);
    }

    /**
     * Creates {@code name} with {@code partitions} partitions and, unless it is itself a
     * dead-letter topic, its dead-letter topic. Durable before it returns.
     *
     * @throws RequestException INVALID_TOPIC_NAME, TOPIC_ALREADY_EXISTS, INVALID_REQUEST (partition
     *     count or topic limit)
     */
    public synchronized Topic create(String name, int partitions) throws IOException {
        TopicNames.problem(name).ifPresent(p -> {
            throw new RequestException(ErrorCode.INVALID_TOPIC_NAME, p);
        });
        if (closed) {
            throw new RequestException(ErrorCode.BROKER_SHUTTING_DOWN, "broker is shutting down");
        }
        if (topics.containsKey(name)) {
            throw new RequestException(ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + name + " already exists with "
                    + topics.get(name).partitionCount() + " partitions");
        }
        if (partitions < 1 || partitions > config.partitionsMaxPerTopic()) {
            throw new RequestException(ErrorCode.INVALID_REQUEST, "topic " + name + ": " + partitions
                    + " partitions requested; this broker allows 1.." + config.partitionsMaxPerTopic()
                    + " (partitionsMaxPerTopic)");
        }
        String dlq = name.endsWith(DLQ_SUFFIX) ? null : name + DLQ_SUFFIX;
        int needed = 1 + (dlq != null && !topics.containsKey(dlq) ? 1 : 0);
        if (topics.size() + needed > config.topicsMax()) {
            throw new RequestException(ErrorCode.INVALID_REQUEST, "cannot create topic " + name + ": "
                    + topics.size() + " topics exist and " + needed + " more are needed (with its dead-letter topic); "
                    + "the limit (topicsMax) is " + config.topicsMax() + "; delete topics or raise the limit");
        }
        if (needed == 2) {
            createOne(dlq, 1);
        }
        return createOne(name, partitions);
    }

    private Topic createOne(String name, int partitions) throws IOException {
        Path dir = topicsDir.resolve(name);
        if (Files.exists(dir)) {
            // Left by a creation that crashed before its commit point while this broker ran on.
            deleteRecursively(dir);
        }
        for (int p = 0; p < partitions; p++) {
            new FileStorage(dir.resolve(Integer.toString(p))); // creates the directory
        }
        FileStorage topicStorage = new FileStorage(dir);
        topicStorage.syncDirectory(); // partition directories durable before the commit point
        TopicMetadata.Contents meta = new TopicMetadata.Contents(partitions, clock.millis());
        TopicMetadata.write(topicStorage, meta); // commit point
        new FileStorage(topicsDir).syncDirectory(); // the topic directory's own name durable
        Topic topic = openPartitions(name, dir, meta);
        topics.put(name, topic);
        LOG.info("created topic {} with {} partitions", name, partitions);
        return topic;
    }

    /** The topic, or null. Thread-safe, non-blocking. */
    public Topic topic(String name) {
        return name == null ? null : topics.get(name);
    }

    /** Every topic, sorted by name. Thread-safe, non-blocking. */
    public List<Topic> list() {
        return topics.values().stream().sorted(Comparator.comparing(Topic::name)).toList();
    }

    public int size() {
        return topics.size();
    }

    /** Closes every partition (flush, checkpoint, producer snapshot). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Topic t : topics.values()) {
            closeQuietly(t.partitions());
        }
        topics.clear();
    }

    private static void closeQuietly(List<GroupCommitLog> logs) {
        for (GroupCommitLog log : logs) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("closing a partition log failed", e);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
