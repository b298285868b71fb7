package io.semel.client;

import io.semel.protocol.Header;
import java.util.List;

/**
 * One delivery from {@link Consumer#poll}. Immutable; the arrays are not copied, do not modify them.
 *
 * @param deliveryCount 1 on first delivery, +1 on each redelivery
 * @param leaseEpoch the partition lease it was delivered under; sent back with ack/nack
 * @param key null when the record has none
 * @param value null when the record has none
 * @param timestampMs the producer's timestamp of its batch, ms since the epoch
 */
public record Message(String topic, int partition, long offset, int deliveryCount, long leaseEpoch, byte[] key,
        byte[] value, List<Header> headers, long timestampMs) {
    public Message {
        headers = List.copyOf(headers);
    }

    @Override
    public String toString() {
        return "Message[" + topic + "/" + partition + "@" + offset + ", delivery " + deliveryCount + ", lease "
                + leaseEpoch + "]";
    }
}
