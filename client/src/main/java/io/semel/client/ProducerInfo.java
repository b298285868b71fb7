package io.semel.client;

import java.util.List;

/**
 * One producer registered with the broker, as {@link Admin#listProducers} reports it. Immutable.
 *
 * @param lastActiveMs broker wall clock of its last INIT_PRODUCER or PRODUCE, ms since the epoch
 * @param expired idle longer than the broker's {@code producerIdleExpiryMs}: its batches get
 *     DEDUP_STATE_UNKNOWN until a new instance initialises the name
 * @param partitions where the broker holds its dedup state
 */
public record ProducerInfo(long producerId, String name, short epoch, long lastActiveMs, boolean expired,
        List<PartitionSequence> partitions) {
    public ProducerInfo {
        partitions = List.copyOf(partitions);
    }

    /**
     * The broker's dedup state for the producer on one partition.
     *
     * @param highestSequence last persisted sequence
     * @param lastTimestampMs newest batch timestamp (the producer's own clock)
     */
    public record PartitionSequence(String topic, int partition, long highestSequence, long lastTimestampMs) {
    }
}
