package io.semel.broker.group;

/**
 * Limits and timings of consumer groups, all with their unit in the name. Immutable; validated on
 * construction ({@link IllegalArgumentException} naming the field, the value and the rule).
 *
 * <p>Use {@link #defaults()} or {@link #builder()}; every field has a default chosen for a broker
 * on one machine with up to a few thousand consumers.
 *
 * @param ackTimeoutMs a delivery not acked within this many ms after it was made becomes due for
 *     redelivery (on {@link GroupState#tick})
 * @param maxDeliveries how many times a message may be delivered; the delivery that would exceed
 *     it becomes a dead-letter request instead. At least 1.
 * @param sessionTimeoutMs session timeout used when a join asks for none (0)
 * @param sessionTimeoutMinMs smallest session timeout a join may ask for
 * @param sessionTimeoutMaxMs largest session timeout a join may ask for
 * @param nackBackoffMs redelivery delay after the first nack; doubles with each further delivery
 * @param nackBackoffMaxMs cap of the nack redelivery delay
 * @param maxUnackedPerMember deliveries a member may hold unacked; at the limit a poll returns none
 * @param membersMax members per group
 * @param groupsMax groups per broker (enforced by {@link GroupRegistry})
 * @param acksPerRequestMax items in one ack or nack request
 * @param pollMessagesMax messages one poll may ask for
 * @param deliveryWindowMax new offsets are delivered only below {@code ackFloor + deliveryWindowMax},
 *     which bounds the per-partition settled set and in-flight table
 * @param nackErrorBytesMax UTF-8 bytes of a nack's error text (it ends up in a DLQ header)
 */
public record GroupConfig(
        long ackTimeoutMs,
        int maxDeliveries,
        long sessionTimeoutMs,
        long sessionTimeoutMinMs,
        long sessionTimeoutMaxMs,
        long nackBackoffMs,
        long nackBackoffMaxMs,
        int maxUnackedPerMember,
        int membersMax,
        int groupsMax,
        int acksPerRequestMax,
        int pollMessagesMax,
        int deliveryWindowMax,
        int nackErrorBytesMax) {

    public GroupConfig {
        positive("ackTimeoutMs", ackTimeoutMs);
        positive("maxDeliveries", maxDeliveries);
        positive("sessionTimeoutMinMs", sessionTimeoutMinMs);
        positive("nackBackoffMs", nackBackoffMs);
        positive("maxUnackedPerMember", maxUnackedPerMember);
        positive("membersMax", membersMax);
        positive("groupsMax", groupsMax);
        positive("acksPerRequestMax", acksPerRequestMax);
        positive("pollMessagesMax", pollMessagesMax);
        positive("deliveryWindowMax", deliveryWindowMax);
        positive("nackErrorBytesMax", nackErrorBytesMax);
        if (sessionTimeoutMinMs > sessionTimeoutMaxMs) {
            throw new IllegalArgumentException("sessionTimeoutMinMs " + sessionTimeoutMinMs
                    + " > sessionTimeoutMaxMs " + sessionTimeoutMaxMs);
        }
        if (sessionTimeoutMs < sessionTimeoutMinMs || sessionTimeoutMs > sessionTimeoutMaxMs) {
            throw new IllegalArgumentException("sessionTimeoutMs " + sessionTimeoutMs + " outside ["
                    + sessionTimeoutMinMs + ", " + sessionTimeoutMaxMs + "]");
        }
        if (nackBackoffMaxMs < nackBackoffMs) {
            throw new IllegalArgumentException("nackBackoffMaxMs " + nackBackoffMaxMs
                    + " < nackBackoffMs " + nackBackoffMs);
        }
        // 2-byte length prefix in the DeadLetterRequested record.
        if (nackErrorBytesMax > 0xFFFF) {
            throw new IllegalArgumentException("nackErrorBytesMax " + nackErrorBytesMax + " > 65535");
        }
    }

    public static GroupConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Redelivery delay after a nack of a delivery with the given count: {@code nackBackoffMs *
     * 2^(deliveryCount-1)}, capped at {@link #nackBackoffMaxMs}.
     */
    public long nackBackoffMs(int deliveryCount) {
        int shift = Math.min(Math.max(deliveryCount - 1, 0), 30);
        // Shifting would overflow: the uncapped delay is beyond any cap anyway.
        if (nackBackoffMs > (Long.MAX_VALUE >> shift)) {
            return nackBackoffMaxMs;
        }
        return Math.min(nackBackoffMs << shift, nackBackoffMaxMs);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private long ackTimeoutMs = 30_000;
        private int maxDeliveries = 5;
        private long sessionTimeoutMs = 10_000;
        private long sessionTimeoutMinMs = 1_000;
        private long sessionTimeoutMaxMs = 300_000;
        private long nackBackoffMs = 100;
        private long nackBackoffMaxMs = 10_000;
        private int maxUnackedPerMember = 1_000;
        private int membersMax = 1_000;
        private int groupsMax = 10_000;
        private int acksPerRequestMax = 5_000;
        private int pollMessagesMax = 5_000;
        private int deliveryWindowMax = 10_000;
        private int nackErrorBytesMax = 1_024;

        private Builder() {
        }

        public Builder ackTimeoutMs(long v) {
            ackTimeoutMs = v;
            return this;
        }

        public Builder maxDeliveries(int v) {
            maxDeliveries = v;
            return this;
        }

        public Builder sessionTimeoutMs(long v) {
            sessionTimeoutMs = v;
            return this;
        }

        public Builder sessionTimeoutMinMs(long v) {
            sessionTimeoutMinMs = v;
            return this;
        }

        public Builder sessionTimeoutMaxMs(long v) {
            sessionTimeoutMaxMs = v;
            return this;
        }

        public Builder nackBackoffMs(long v) {
            nackBackoffMs = v;
            return this;
        }

        public Builder nackBackoffMaxMs(long v) {
            nackBackoffMaxMs = v;
            return this;
        }

        public Builder maxUnackedPerMember(int v) {
            maxUnackedPerMember = v;
            return this;
        }

        public Builder membersMax(int v) {
            membersMax = v;
            return this;
        }

        public Builder groupsMax(int v) {
            groupsMax = v;
            return this;
        }

        public Builder acksPerRequestMax(int v) {
            acksPerRequestMax = v;
            return this;
        }

        public Builder pollMessagesMax(int v) {
            pollMessagesMax = v;
            return this;
        }

        public Builder deliveryWindowMax(int v) {
            deliveryWindowMax = v;
            return this;
        }

        public Builder nackErrorBytesMax(int v) {
            nackErrorBytesMax = v;
            return this;
        }

        public GroupConfig build() {
            return new GroupConfig(ackTimeoutMs, maxDeliveries, sessionTimeoutMs, sessionTimeoutMinMs,
                    sessionTimeoutMaxMs, nackBackoffMs, nackBackoffMaxMs, maxUnackedPerMember, membersMax,
                    groupsMax, acksPerRequestMax, pollMessagesMax, deliveryWindowMax, nackErrorBytesMax);
        }
    }
}
