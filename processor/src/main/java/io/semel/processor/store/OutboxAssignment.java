package io.semel.processor.store;

import java.util.Objects;

/**
 * Where the outbox relay publishes one outbox row: its partition and its sequence number in the
 * relay's durable producer sequence for {@code (topic, partition)}. Stored on the row (schema v2)
 * before the row is sent, so a resend after a crash reuses the same sequence and the broker answers
 * it as a duplicate instead of appending it twice.
 *
 * @param id the outbox row id
 * @param topic the row's topic (checked against the row when assigning)
 */
public record OutboxAssignment(long id, String topic, int partition, long sequence) {
    public OutboxAssignment {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition + " (row " + id + ")");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence + " (row " + id + ")");
        }
    }
}
