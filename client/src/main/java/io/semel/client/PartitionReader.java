package io.semel.client;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.ConnectionSettings;
import io.semel.client.internal.FetchRecords;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.Metadata;
import io.semel.protocol.Protocol;
import io.semel.protocol.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a topic partition from a given offset with FETCH, outside any consumer group: nothing is
 * leased or acked, so a reader can start anywhere and read again (replay, replicated state machines,
 * drains, verification). It has its own connection (HELLO first, reconnects after a failure).
 *
 * <p>Thread-safe, but requests on the one connection are answered in order: a read that waits
 * ({@code maxWaitMs > 0}) delays other threads' reads. Use one reader per thread that waits.
 *
 * <p>Failures are {@link SemelException}s: {@link DefiniteFailureException} with
 * {@code OFFSET_OUT_OF_RANGE} (the message has the log's start and end) or
 * {@code UNKNOWN_TOPIC_OR_PARTITION}; retriable ones when the broker is unreachable;
 * {@link OutcomeUnknownException} when a read got no answer (a read has no effect, so just retry).
 */
public final class PartitionReader implements AutoCloseable {
    /** Upper bound on {@code fetchMaxBytes}: a FETCH answer must fit in one frame. */
    public static final int FETCH_MAX_BYTES_LIMIT = 64 * 1024 * 1024;

    private final BrokerChannel channel;
    private final int fetchMaxBytes;

    private PartitionReader(ConnectionSettings settings, int fetchMaxBytes) {
        this.channel = new BrokerChannel(settings);
        this.fetchMaxBytes = fetchMaxBytes;
    }

    public static Builder builder(String bootstrap) {
        return new Builder(bootstrap);
    }

    /**
     * Reads from {@code fromOffset}: at least one record when the log has one there (the broker
     * returns at least one batch), about {@code fetchMaxBytes} at most. Waits up to {@code maxWaitMs}
     * when there is nothing yet.
     */
    public PartitionRead read(String topic, int partition, long fromOffset, int maxWaitMs) {
        Objects.requireNonNull(topic, "topic");
        if (fromOffset < 0) {
            throw new IllegalArgumentException("fromOffset must be >= 0, was " + fromOffset);
        }
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("maxWaitMs must be >= 0, was " + maxWaitMs);
        }
        if (partition < 0 || partition >= Protocol.MAX_PARTITIONS_PER_TOPIC) {
            throw new IllegalArgumentException("partition " + partition + " out of range 0.."
                    + (Protocol.MAX_PARTITIONS_PER_TOPIC - 1));
        }
        Fetch.Response r = channel.call(new Fetch.Request(topic, partition, fromOffset, fetchMaxBytes, maxWaitMs),
                Fetch.Response.class, maxWaitMs);
        if (r.error() != ErrorCode.NONE) {
            throw new DefiniteFailureException(r.error(), r.error().retriable(), "FETCH " + topic + "-" + partition
                    + " from offset " + fromOffset + " failed: " + r.error() + " (" + r.error().code() + ") "
                    + r.errorMessage() + "; log start " + r.startOffset() + ", log end " + r.nextOffset(), null);
        }
        List<PartitionRecord> records = FetchRecords.from(topic, partition, fromOffset, r.batches());
        long next = records.isEmpty() ? fromOffset : records.get(records.size() - 1).offset() + 1;
        return new PartitionRead(records, next, r.startOffset(), r.nextOffset());
    }

    /**
     * Every record from {@code fromOffset} up to the log's end as it is when this call starts, at
     * most {@code recordsMax} (a limit, so a huge partition cannot exhaust memory by surprise).
     *
     * @throws IllegalStateException when the partition holds more than {@code recordsMax} records there
     */
    public List<PartitionRecord> readToEnd(String topic, int partition, long fromOffset, int recordsMax) {
        List<PartitionRecord> all = new ArrayList<>();
        long offset = fromOffset;
        long end = -1;
        while (end < 0 || offset < end) {
            PartitionRead r = read(topic, partition, offset, 0);
            if (end < 0) {
                end = r.logEndOffset();
            }
            if (r.records().isEmpty()) {
                break;
            }
            for (PartitionRecord rec : r.records()) {
                if (rec.offset() >= end) {
                    return all;
                }
                if (all.size() == recordsMax) {
                    throw new IllegalStateException(topic + "-" + partition + " holds more than recordsMax "
                            + recordsMax + " records from offset " + fromOffset + " to " + end);
                }
                all.add(rec);
            }
            offset = r.nextOffset();
        }
        return all;
    }

    /** The topic's partition count (METADATA). */
    public int partitionCount(String topic) {
        return partitionCount(channel, topic);
    }

    static int partitionCount(BrokerChannel channel, String topic) {
        Objects.requireNonNull(topic, "topic");
        TopicNames.problem(topic).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        Metadata.Response r = channel.call(new Metadata.Request(List.of(topic)), Metadata.Response.class, 0);
        if (r.error() != ErrorCode.NONE) {
            throw new DefiniteFailureException(r.error(), "METADATA for topic '" + topic + "' failed: " + r.error()
                    + " (" + r.error().code() + ") " + r.errorMessage());
        }
        for (Metadata.TopicMetadata t : r.topics()) {
            if (t.name().equals(topic)) {
                if (t.error() != ErrorCode.NONE || t.partitionCount() < 1) {
                    throw new DefiniteFailureException(t.error() == ErrorCode.NONE
                            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : t.error(), "topic '" + topic
                            + "' is not available: " + t.error() + ", " + t.partitionCount() + " partitions");
                }
                return t.partitionCount();
            }
        }
        throw new DefiniteFailureException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "METADATA answer has no entry for "
                + "topic '" + topic + "'");
    }

    /** Closes the connection; a read in progress fails with {@link OutcomeUnknownException}. Idempotent. */
    @Override
    public void close() {
        channel.close();
    }

    /** Settings with units in their names. Not thread-safe. */
    public static final class Builder extends ClientBuilder<Builder> {
        private int fetchMaxBytes = 1 << 20;

        private Builder(String bootstrap) {
            super(bootstrap, "semel-reader");
        }

        @Override
        Builder self() {
            return this;
        }

        /** Soft limit on one read's batches, bytes (one batch is always returned); default 1 MiB. */
        public Builder fetchMaxBytes(int v) {
            if (v < 1 || v > FETCH_MAX_BYTES_LIMIT) {
                throw new IllegalArgumentException("fetchMaxBytes " + v + " out of range 1.." + FETCH_MAX_BYTES_LIMIT);
            }
            fetchMaxBytes = v;
            return this;
        }

        public PartitionReader build() {
            ConnectionSettings cs = connectionSettings();
            return new PartitionReader(cs, fetchMaxBytes);
        }
    }
}
