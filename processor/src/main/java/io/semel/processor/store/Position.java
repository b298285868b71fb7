package io.semel.processor.store;

/** A consumer's stored position in one partition: the next offset to process, under a lease epoch. */
public record Position(String consumer, String topic, int partition, long nextOffset, long leaseEpoch,
        long updatedAtMs) {
}
