package io.semel.verify.history;

/**
 * One message in a deliver {@code ok}.
 *
 * @param deliveryCount how many times the broker says it has delivered this log record, 1 on first delivery
 * @param leaseEpoch the lease epoch of the partition this message was delivered under, or
 *     {@link EventValue#UNASSIGNED} when the history does not record it per message (then the deliver event's
 *     {@code epoch} stands for it)
 */
public record Delivery(String id, long partition, long offset, int deliveryCount, long leaseEpoch) {
    public Delivery {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id must be a non-empty string, got " + id);
        }
    }

    /** A delivery without its own lease epoch (histories written before it was recorded per message). */
    public Delivery(String id, long partition, long offset, int deliveryCount) {
        this(id, partition, offset, deliveryCount, EventValue.UNASSIGNED);
    }
}
