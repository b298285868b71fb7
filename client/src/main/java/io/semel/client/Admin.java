package io.semel.client;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.AddPartitions;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.DeleteTopic;
import io.semel.protocol.DescribeGroup;
import io.semel.protocol.ListGroups;
import io.semel.protocol.ResetGroup;
import io.semel.protocol.DescribeTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.ListProducers;
import io.semel.protocol.ListTopics;
import io.semel.protocol.ReleaseProducer;
import io.semel.protocol.TopicNames;
import java.util.List;
import java.util.Objects;

/**
 * Topic, group and producer administration: create, list, describe, delete and grow topics; list,
 * describe and reset consumer groups; list and remove producers. Redriving dead letters builds on it: {@link DeadLetterRedrive}. Thread-safe; each call is one request on one
 * connection (made on first use, remade after it breaks). Calls block up to connectTimeoutMs +
 * requestTimeoutMs and are never retried: CREATE_TOPIC and DELETE_TOPIC are not idempotent (a retry
 * after a lost answer would report TOPIC_ALREADY_EXISTS or UNKNOWN_TOPIC_OR_PARTITION), so the
 * caller decides.
 *
 * <p>Failures: {@link DefiniteFailureException} with the broker's code ({@code TOPIC_ALREADY_EXISTS},
 * {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code INVALID_TOPIC_NAME}, {@code INVALID_REQUEST}) or
 * {@link ErrorCode#NONE} when the broker could not be reached; {@link OutcomeUnknownException}
 * when a request was sent but not answered. A topic name that breaks {@link TopicNames} is
 * refused at the call with {@link IllegalArgumentException}, nothing sent.
 */
public final class Admin implements AutoCloseable {
    private final BrokerChannel channel;

    /** One topic of {@link #listTopics()}. */
    public record TopicListing(String name, int partitionCount) {
    }

    /**
     * One partition of {@link #describeTopic}.
     *
     * @param startOffset first offset still in the log (after retention)
     * @param nextOffset offset the next appended record gets; {@code nextOffset - startOffset} records are readable
     */
    public record PartitionInfo(int partition, long startOffset, long nextOffset) {
    }

    /** One group of {@link #listGroups()}; {@code members} are live members now. */
    public record GroupListing(String name, String topic, int partitionCount, int members) {
    }

    /** A live member of a group and its session timeout. */
    public record GroupMember(String memberId, long sessionTimeoutMs) {
    }

    /**
     * One partition of a group ({@link #describeGroup}).
     *
     * @param holder member holding the lease, or null
     * @param leaseEpoch grows by one per grant; deliveries and acks carry it
     * @param ackFloor every offset below it is settled (acked or dead-lettered)
     * @param nextOffset lowest offset never delivered to the group
     * @param settledAboveFloor settled offsets in [ackFloor, nextOffset)
     * @param inFlight delivered under the current lease, not acked yet
     * @param due waiting for redelivery
     * @param deadLetterPending given up, being copied to the dead-letter topic
     * @param lag records of the partition the group has not settled
     */
    public record GroupPartition(int partition, String holder, long leaseEpoch, long ackFloor, long nextOffset,
            int settledAboveFloor, int inFlight, int due, int deadLetterPending, long logStartOffset,
            long logEndOffset, long lag) {
    }

    /** A group's members and per-partition progress. */
    public record GroupDescription(String group, String topic, List<GroupMember> members,
            List<GroupPartition> partitions) {
        public GroupDescription {
            members = List.copyOf(members);
            partitions = List.copyOf(partitions);
        }
    }

    /** Where {@link #resetGroup} moves a group: the log start or end, an offset, or the first record at or after a time. */
    public record ResetTo(ResetGroup.Mode mode, long value) {
        public static ResetTo earliest() {
            return new ResetTo(ResetGroup.Mode.EARLIEST, 0);
        }

        public static ResetTo latest() {
            return new ResetTo(ResetGroup.Mode.LATEST, 0);
        }

        /** Clamped by the broker to [log start, log end]. */
        public static ResetTo offset(long offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0, was " + offset);
            }
            return new ResetTo(ResetGroup.Mode.OFFSET, offset);
        }

        /** The first record whose batch timestamp is at or after {@code epochMs}; the log end if none. */
        public static ResetTo timestamp(long epochMs) {
            return new ResetTo(ResetGroup.Mode.TIMESTAMP, epochMs);
        }
    }

    private Admin(ConnectionSettings settings) {
        this.channel = new BrokerChannel(settings);
    }

    public static Builder builder(String bootstrap) {
        return new Builder(bootstrap);
    }

    /** Creates {@code name} with {@code partitions} partitions (the broker also creates {@code name.dlq}). */
    public void createTopic(String name, int partitions) {
        validate(name);
        CreateTopic.Request req;
        try {
            req = new CreateTopic.Request(name, partitions);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("partitions " + partitions + " for topic '" + name + "': "
                    + e.getMessage(), e);
        }
        CreateTopic.Response r = channel.call(req, CreateTopic.Response.class, 0);
        check(r.error(), r.errorMessage(), "CREATE_TOPIC '" + name + "' with " + partitions + " partitions");
    }

    /** Every topic (dead-letter topics included), sorted by name. */
    public List<TopicListing> listTopics() {
        ListTopics.Response r = channel.call(new ListTopics.Request(), ListTopics.Response.class, 0);
        check(r.error(), r.errorMessage(), "LIST_TOPICS");
        return r.topics().stream().map(t -> new TopicListing(t.name(), t.partitionCount())).toList();
    }

    /** The topic's partitions with their offsets, by partition number. */
    public List<PartitionInfo> describeTopic(String name) {
        validate(name);
        DescribeTopic.Response r = channel.call(new DescribeTopic.Request(name), DescribeTopic.Response.class, 0);
        check(r.error(), r.errorMessage(), "DESCRIBE_TOPIC '" + name + "'");
        return r.partitions().stream().map(p -> new PartitionInfo(p.partition(), p.startOffset(), p.nextOffset()))
                .toList();
    }

    /**
     * Registered producers whose name starts with {@code namePrefix} ("" = all), by id, at most
     * {@code limit} (1..{@value ListProducers#LIMIT_MAX}).
     */
    public List<ProducerInfo> listProducers(String namePrefix, int limit) {
        ListProducers.Response r = channel.call(new ListProducers.Request(Objects.requireNonNull(namePrefix), limit),
                ListProducers.Response.class, 0);
        check(r.error(), r.errorMessage(), "LIST_PRODUCERS");
        return r.producers().stream().map(p -> new ProducerInfo(p.producerId(), p.name(), p.epoch(), p.lastActiveMs(),
                p.expired(), p.partitions().stream().map(s -> new ProducerInfo.PartitionSequence(s.topic(),
                        s.partition(), s.highestSequence(), s.lastTimestampMs())).toList())).toList();
    }

    /**
     * Removes producer {@code name}'s registration, whichever instance holds it (an operator's
     * decision: that instance's next batch gets UNKNOWN_PRODUCER, and a late copy of its batches is
     * never appended). Idempotent.
     *
     * @return whether a registration was removed (false: there was none)
     */
    public boolean removeProducer(String name) {
        ReleaseProducer.Response r = channel.call(new ReleaseProducer.Request(Objects.requireNonNull(name),
                io.semel.protocol.RecordBatch.NO_PRODUCER_EPOCH), ReleaseProducer.Response.class, 0);
        check(r.error(), r.errorMessage(), "RELEASE_PRODUCER '" + name + "'");
        return r.outcome() == ReleaseProducer.Outcome.RELEASED;
    }

    /**
     * Deletes {@code name}, its dead-letter topic (unless it is one) and every consumer group on
     * either; their producers and consumers get UNKNOWN_TOPIC_OR_PARTITION afterwards.
     */
    public void deleteTopic(String name) {
        validate(name);
        DeleteTopic.Response r = channel.call(new DeleteTopic.Request(name), DeleteTopic.Response.class, 0);
        check(r.error(), r.errorMessage(), "DELETE_TOPIC '" + name + "'");
    }

    /**
     * Grows {@code name} to {@code partitionCount} partitions. Keyed records may map to other
     * partitions afterwards (murmur2(key) mod n); running producers keep the count they read until
     * they are restarted.
     */
    public void addPartitions(String name, int partitionCount) {
        validate(name);
        AddPartitions.Request req;
        try {
            req = new AddPartitions.Request(name, partitionCount);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("partition count " + partitionCount + " for topic '" + name + "': "
                    + e.getMessage(), e);
        }
        AddPartitions.Response r = channel.call(req, AddPartitions.Response.class, 0);
        check(r.error(), r.errorMessage(), "ADD_PARTITIONS '" + name + "' to " + partitionCount);
    }

    /** Every consumer group, sorted by name. */
    public List<GroupListing> listGroups() {
        ListGroups.Response r = channel.call(new ListGroups.Request(), ListGroups.Response.class, 0);
        check(r.error(), r.errorMessage(), "LIST_GROUPS");
        return r.groups().stream().map(g -> new GroupListing(g.name(), g.topic(), g.partitionCount(), g.members()))
                .toList();
    }

    /** A group's members and per-partition progress; GROUP_NOT_FOUND when there is no such group. */
    public GroupDescription describeGroup(String group) {
        Objects.requireNonNull(group, "group");
        DescribeGroup.Response r = channel.call(new DescribeGroup.Request(group), DescribeGroup.Response.class, 0);
        check(r.error(), r.errorMessage(), "DESCRIBE_GROUP '" + group + "'");
        List<GroupMember> members = r.members().stream().map(m -> new GroupMember(m.memberId(), m.sessionTimeoutMs()))
                .toList();
        List<GroupPartition> partitions = r.partitions().stream().map(p -> new GroupPartition(p.partition(), p.holder(),
                p.leaseEpoch(), p.ackFloor(), p.nextOffset(), p.settledAboveFloor(), p.inFlight(), p.due(),
                p.deadLetterPending(), p.logStartOffset(), p.logEndOffset(), p.lag())).toList();
        return new GroupDescription(group, r.topic(), members, partitions);
    }

    /**
     * Moves {@code group}'s position on {@code partition} (or every partition with
     * {@link ResetGroup.Request#ALL_PARTITIONS}) of {@code topic}; creates the group without members
     * if it does not exist. Refused with GROUP_NOT_EMPTY while the group has members.
     *
     * @return the new position per partition
     */
    public java.util.Map<Integer, Long> resetGroup(String group, String topic, int partition, ResetTo to) {
        Objects.requireNonNull(group, "group");
        validate(topic);
        Objects.requireNonNull(to, "to");
        ResetGroup.Response r = channel.call(new ResetGroup.Request(group, topic, partition, to.mode(), to.value()),
                ResetGroup.Response.class, 0);
        check(r.error(), r.errorMessage(), "RESET_GROUP '" + group + "' on " + topic);
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        r.positions().forEach(p -> out.put(p.partition(), p.offset()));
        return out;
    }

    private static void validate(String name) {
        Objects.requireNonNull(name, "topic");
        TopicNames.problem(name).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }

    private static void check(ErrorCode error, String message, String what) {
        if (error != ErrorCode.NONE) {
            throw new DefiniteFailureException(error, what + " refused: " + error + " (" + error.code() + ") "
                    + (message == null ? error.description() : message));
        }
    }

    /** Closes the connection; safe more than once. */
    @Override
    public void close() {
        channel.close();
    }

    /** Settings with units in their names. Not thread-safe. */
    public static final class Builder extends ClientBuilder<Builder> {

        private Builder(String bootstrap) {
            super(bootstrap, "semel-admin");
        }

        @Override
        Builder self() {
            return this;
        }

        /** Does not connect; the first call does. */
        public Admin build() {
            return new Admin(connectionSettings());
        }
    }
}
