package io.semel.broker.group;

/** One entry of an ack request: the delivery being acknowledged. */
public record AckItem(int partition, long leaseEpoch, long offset) {
}
