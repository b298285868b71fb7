package io.semel.client;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.DescribeTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.ListProducers;
import io.semel.protocol.ListTopics;
import io.semel.protocol.ReleaseProducer;
import io.semel.protocol.TopicNames;
import java.util.List;
import java.util.Objects;

/**
 * Topic and producer administration: create, list, describe topics; list and remove producers. Thread-safe; each call is one request on one
 * connection (made on first use, remade after it breaks). Calls block up to connectTimeoutMs +
 * requestTimeoutMs and are never retried: CREATE_TOPIC is not idempotent (a retry after a lost
 * answer would report TOPIC_ALREADY_EXISTS), so the caller decides.
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
