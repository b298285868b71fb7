package io.semel.broker.group;

/**
 * In-flight state of one delivered, unsettled offset. Mutable; owned by its {@link
 * PartitionProgress}; not thread-safe.
 *
 * <p>Invariants: {@code deliveryCount >= 1}; {@code 0 <= releases <= deliveryCount} (released
 * deliveries do not count as attempts, see {@link #attempts}); state changes only through
 * {@link #moveTo}, which enforces {@link SlotState#canMoveTo} and keeps the state counts of the
 * {@link SlotTable} holding the slot true.
 */
final class DeliverySlot {
    final long offset;
    private SlotState state;
    int deliveryCount;
    /** Deliveries released by a clean leave (see {@link GroupRecord.Released}); not attempts. */
    int releases;
    /** Lease epoch of the latest delivery (0 if delivered before a restart). */
    long leaseEpoch;
    /** DELIVERED: when the ack timeout fires. */
    long ackDeadlineMs;
    /** DUE: when it may be redelivered. */
    long dueAtMs;
    /** Last nack text or timeout/revocation reason; becomes the DLQ error header. */
    String lastError = GroupState.ERROR_ACK_TIMEOUT;
    /** The table holding this slot, told of every state change; null while in none (replay staging). */
    SlotTable table;

    DeliverySlot(long offset, SlotState state, int deliveryCount) {
        assert deliveryCount >= 1 : "deliveryCount " + deliveryCount + " at offset " + offset;
        this.offset = offset;
        this.state = state;
        this.deliveryCount = deliveryCount;
    }

    /** Deliveries that count towards maxDeliveries: every delivery but the released ones. */
    int attempts() {
        return deliveryCount - releases;
    }

    SlotState state() {
        return state;
    }

    void moveTo(SlotState next) {
        // Checked always, not only under -ea: a wrong transition would settle or lose a message.
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("offset " + offset + ": illegal slot transition " + state + " -> " + next);
        }
        SlotState from = state;
        state = next;
        if (table != null) {
            table.moved(from, next);
        }
    }
}
