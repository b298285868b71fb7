package io.semel.broker.internal;

import io.semel.broker.BrokerConfig;
import io.semel.log.FileStorage;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogReader;
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
 * <p>Deletion order, crash-safe ({@link #delete}): the topic leaves the map (new requests get
 * UNKNOWN_TOPIC_OR_PARTITION), its groups are deleted durably, its partitions are closed, its
 * metadata file is unlinked and the directory synced (the commit point: from here recovery
 * treats the rest as an unfinished creation and removes it), then the files are removed. A crash
 * before the commit point leaves the whole topic (with its groups gone); after it, nothing.
 *
 * <p>Growing a topic ({@link #addPartitions}): new partition directories, topic directory
 * synced, metadata rewritten with the new count (commit point), new partitions opened. Partition
 * directories beyond the metadata's count are leftovers of a crash before the commit point:
 * nothing was ever written to them, and they are removed before reuse.
 *
 * <p>Thread-safety: lookups and listing are thread-safe and never block. {@link #create},
 * {@link #delete}, {@link #addPartitions} and {@link #close} do blocking I/O and are serialised on this object's monitor: call them from the
 * broker's admin thread, never from an event loop.
 */
public final class TopicManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicManager.class);
    /** Suffix of the dead-letter topic created with every topic. */
    public static final String DLQ_SUFFIX = ".dlq";
    /** The directory under the data directory that holds one directory per topic. */
    public static final String TOPICS_DIR = "topics";

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
        List<LogReader> readers = new ArrayList<>(meta.partitionCount());
        try {
            for (int p = 0; p < meta.partitionCount(); p++) {
                LogReader reader = new LogReader();
                logs.add(startLog(name, p, dir.resolve(Integer.toString(p)), reader));
                readers.add(reader);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(logs);
            throw e;
        }
        return new Topic(name, meta.createdMs(), logs, readers);
    }

    /** Starts a partition's writer; every (re)opening publishes its durable view to {@code reader}. */
    private GroupCommitLog startLog(String topic, int partition, Path dir, LogReader reader) throws IOException {
        FileStorage storage = new FileStorage(dir);
        String threadName = "partition-writer-" + topic + "-" + partition;
        return GroupCommitLog.start(
                () -> Partition.open(storage, config.logConfig(), config.producersMaxPerPartition(), clock, reader),
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

    /** Deletes a topic's groups, durably, before its files go (a {@link io.semel.broker.GroupAdmin} call). */
    public interface GroupDeleter {
        java.util.concurrent.CompletableFuture<Void> deleteGroupsOn(java.util.Set<String> topics);
    }

    /** Called between the steps of {@link #delete}, for fault-injection tests; a thrown IOException is a crash there. */
    interface DeleteStepHook {
        void after(String step, String topic) throws IOException;
    }

    private DeleteStepHook deleteHook = (step, topic) -> { };

    void deleteHook(DeleteStepHook hook) {
        this.deleteHook = hook;
    }

    /**
     * Deletes {@code name}, its dead-letter topic (unless it is one) and every group on either.
     * Durable before it returns.
     *
     * @throws RequestException UNKNOWN_TOPIC_OR_PARTITION, BROKER_SHUTTING_DOWN, or the group
     *     deletion's failure (the topic is then back in place)
     */
    public synchronized void delete(String name, GroupDeleter groups, long groupTimeoutMs) throws IOException {
        if (closed) {
            throw new RequestException(ErrorCode.BROKER_SHUTTING_DOWN, "broker is shutting down");
        }
        Topic topic = topics.get(name);
        if (topic == null) {
            throw new RequestException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + name + " does not exist");
        }
        List<Topic> doomed = new ArrayList<>();
        Topic dlq = name.endsWith(DLQ_SUFFIX) ? null : topics.get(name + DLQ_SUFFIX);
        // The dead-letter topic goes first: a crash in between leaves the topic, whose delete can be repeated.
        if (dlq != null) {
            doomed.add(dlq);
        }
        doomed.add(topic);
        doomed.forEach(t -> topics.remove(t.name()));
        try {
            groups.deleteGroupsOn(new java.util.HashSet<>(doomed.stream().map(Topic::name).toList()))
                    .get(groupTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            doomed.forEach(t -> topics.put(t.name(), t));
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = ErrorMapping.unwrap(e);
            throw cause instanceof RequestException r ? r : new RequestException(ErrorCode.STORAGE_ERROR,
                    "deleting the consumer groups of topic " + name + " failed (" + cause + "); the topic is kept, retry");
        }
        deleteHook.after("groups-deleted", name);
        for (Topic t : doomed) {
            deleteFiles(t);
        }
    }

    private void deleteFiles(Topic t) throws IOException {
        closeQuietly(t.partitions()); // writers drain their queues and stop: nothing writes below from here
        Path dir = topicsDir.resolve(t.name());
        deleteHook.after("partitions-closed", t.name());
        Files.delete(dir.resolve(TopicMetadata.FILE_NAME));
        new FileStorage(dir).syncDirectory(); // commit point: recovery now removes whatever is left
        deleteHook.after("metadata-deleted", t.name());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    deleteRecursively(p);
                    deleteHook.after("partition-deleted", t.name());
                }
            }
        }
        deleteRecursively(dir);
        new FileStorage(topicsDir).syncDirectory();
        LOG.info("deleted topic {} ({} partitions)", t.name(), t.partitionCount());
    }

    /**
     * Grows {@code name} to {@code partitionCount} partitions, durably; returns the grown topic.
     *
     * @throws RequestException UNKNOWN_TOPIC_OR_PARTITION; INVALID_REQUEST when the count does not
     *     grow, exceeds partitionsMaxPerTopic or the topic is a dead-letter topic
     */
    public synchronized Topic addPartitions(String name, int partitionCount) throws IOException {
        if (closed) {
            throw new RequestException(ErrorCode.BROKER_SHUTTING_DOWN, "broker is shutting down");
        }
        Topic topic = topics.get(name);
        if (topic == null) {
            throw new RequestException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + name + " does not exist");
        }
        if (name.endsWith(DLQ_SUFFIX)) {
            throw new RequestException(ErrorCode.INVALID_REQUEST, "topic " + name + " is a dead-letter topic; the "
                    + "broker writes its partition 0 only, so it keeps one partition");
        }
        if (partitionCount <= topic.partitionCount() || partitionCount > config.partitionsMaxPerTopic()) {
            throw new RequestException(ErrorCode.INVALID_REQUEST, "topic " + name + " has " + topic.partitionCount()
                    + " partitions; the new count " + partitionCount + " must be above it and at most "
                    + config.partitionsMaxPerTopic() + " (partitionsMaxPerTopic)");
        }
        Path dir = topicsDir.resolve(name);
        for (int p = topic.partitionCount(); p < partitionCount; p++) {
            Path partitionDir = dir.resolve(Integer.toString(p));
            if (Files.exists(partitionDir)) {
                deleteRecursively(partitionDir); // left by an add that crashed before its commit point
            }
            new FileStorage(partitionDir);
        }
        FileStorage topicStorage = new FileStorage(dir);
        topicStorage.syncDirectory();
        TopicMetadata.write(topicStorage, new TopicMetadata.Contents(partitionCount, topic.createdMs())); // commit
        List<GroupCommitLog> logs = new ArrayList<>(topic.partitions());
        List<LogReader> readers = new ArrayList<>(topic.readers());
        for (int p = topic.partitionCount(); p < partitionCount; p++) {
            LogReader reader = new LogReader();
            logs.add(startLog(name, p, dir.resolve(Integer.toString(p)), reader));
            readers.add(reader);
        }
        Topic grown = new Topic(name, topic.createdMs(), logs, readers);
        topics.put(name, grown);
        LOG.info("topic {} grew from {} to {} partitions", name, topic.partitionCount(), partitionCount);
        return grown;
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
