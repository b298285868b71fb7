package io.semel.broker.group;

/**
 * One message handed to a member. The member settles it with {@code ack}/{@code nack} quoting
 * {@code (partition, leaseEpoch, offset)}.
 *
 * @param deliveryCount 1 on the first delivery of this offset to this group, +1 on each redelivery,
 *     never lower than any count handed out before (even across broker restarts)
 * @param leaseEpoch the partition's lease epoch this delivery was made under
 */
public record Delivery(int partition, long offset, int deliveryCount, long leaseEpoch, Message message) {
}
