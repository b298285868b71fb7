package io.semel.broker.group;

import io.semel.protocol.config.ConfigDef;
import io.semel.protocol.config.ConfigValues;
import io.semel.protocol.config.Setting;

/**
 * Limits and timings of consumer groups, all with their unit in the name. Immutable; validated on
 * construction against {@link #DEF}, where each setting is declared once ({@link IllegalArgumentException}
 * naming the field, the value and the rule).
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
 * @param deliveryHorizonMessages how far ahead of its next new offset a partition's delivery
 *     horizon ({@link GroupRecord.DeliveryHorizon}) is recorded; a poll of new messages below the
 *     durable horizon is answered without waiting for the group log's fsync. After a crash, up to
 *     this many offsets per partition that had not gone out count one delivery. 0 turns it off
 *     (every delivery waits for its record, as with maxDeliveries 1, where it is always off: there
 *     the extra count would dead-letter a message that was never delivered)
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
        int nackErrorBytesMax,
        int deliveryHorizonMessages) {

    public static final Setting<Long> ACK_TIMEOUT_MS = Setting.millis("ackTimeoutMs", 30_000,
            "a group delivery not acked within this is redelivered").range(1, 7L * 24 * 60 * 60 * 1000);
    public static final Setting<Integer> MAX_DELIVERIES = Setting.integer("maxDeliveries", 5,
            "deliveries of one message before it is copied to `<topic>.dlq`").range(1, Integer.MAX_VALUE);
    public static final Setting<Long> SESSION_TIMEOUT_MS = Setting.millis("sessionTimeoutMs", 10_000,
            "session timeout of a JOIN_GROUP that asks for 0").range(1, Integer.MAX_VALUE);
    public static final Setting<Long> SESSION_TIMEOUT_MIN_MS = Setting.millis("sessionTimeoutMinMs", 1_000,
            "smallest session timeout a join may ask for (INVALID_REQUEST below)").range(1, Integer.MAX_VALUE);
    // Session timeouts go over the wire as int32 milliseconds.
    public static final Setting<Long> SESSION_TIMEOUT_MAX_MS = Setting.millis("sessionTimeoutMaxMs", 300_000,
            "largest session timeout a join may ask for (INVALID_REQUEST above)").range(1, Integer.MAX_VALUE);
    public static final Setting<Long> NACK_BACKOFF_MS = Setting.millis("nackBackoffMs", 100,
            "redelivery delay after the first nack; doubles with each further delivery").range(1, Long.MAX_VALUE);
    public static final Setting<Long> NACK_BACKOFF_MAX_MS = Setting.millis("nackBackoffMaxMs", 10_000,
            "cap of the nack redelivery delay").range(1, Long.MAX_VALUE);
    public static final Setting<Integer> MAX_UNACKED_PER_MEMBER = Setting.integer("maxUnackedPerMember", 10_000,
            "unacked deliveries one member may hold; polls return nothing at the limit").range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> MEMBERS_MAX = Setting.integer("membersMax", 1_000,
            "members per group").range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> GROUPS_MAX = Setting.integer("groupsMax", 10_000,
            "consumer groups per broker").range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> ACKS_PER_REQUEST_MAX = Setting.integer("acksPerRequestMax", 5_000,
            "items in one ACK or NACK request").range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> POLL_MESSAGES_MAX = Setting.integer("pollMessagesMax", 5_000,
            "messages one POLL may ask for").range(1, Integer.MAX_VALUE);
    public static final Setting<Integer> DELIVERY_WINDOW_MAX = Setting.integer("deliveryWindowMax", 10_000,
            "new offsets are delivered only below ack floor + this, which bounds each partition's in-flight table")
            .range(1, Integer.MAX_VALUE);
    // 2-byte length prefix in the DeadLetterRequested record.
    public static final Setting<Integer> NACK_ERROR_BYTES_MAX = Setting.integer("nackErrorBytesMax", 1_024,
            "UTF-8 bytes kept of a nack's error text (it ends up in a dead letter's header)").range(1, 0xFFFF);

    public static final Setting<Integer> DELIVERY_HORIZON_MESSAGES = Setting.integer("deliveryHorizonMessages", 4_096,
            "new deliveries below a horizon recorded this many offsets ahead are answered before their own "
                    + "group-log record is durable; after a crash up to this many offsets per partition count "
                    + "one delivery they may not have had (0: every delivery waits for its record)")
            .range(0, Integer.MAX_VALUE);

    /**
     * Why a POLL asking for {@code maxMessages} is refused (outside 1..pollMessagesMax), or null when
     * it is not: checked by the decision core and, before a POLL's acks are applied, by the coordinator.
     */
    public String pollSizeRefusal(int maxMessages) {
        return maxMessages >= 1 && maxMessages <= pollMessagesMax ? null
                : "poll of " + maxMessages + " messages outside [1, " + pollMessagesMax + "] (pollMessagesMax)";
    }

    /** The consumer-group settings, included in the broker's. */
    public static final ConfigDef DEF = ConfigDef.of("consumer-group", ACK_TIMEOUT_MS, MAX_DELIVERIES,
                    SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MIN_MS, SESSION_TIMEOUT_MAX_MS, NACK_BACKOFF_MS,
                    NACK_BACKOFF_MAX_MS, MAX_UNACKED_PER_MEMBER, MEMBERS_MAX, GROUPS_MAX, ACKS_PER_REQUEST_MAX,
                    POLL_MESSAGES_MAX, DELIVERY_WINDOW_MAX, NACK_ERROR_BYTES_MAX, DELIVERY_HORIZON_MESSAGES)
            .rule(ConfigDef.Rule.atMost(SESSION_TIMEOUT_MIN_MS, SESSION_TIMEOUT_MAX_MS, 0, ""))
            .rule(ConfigDef.Rule.atMost(SESSION_TIMEOUT_MIN_MS, SESSION_TIMEOUT_MS, 0, ""))
            .rule(ConfigDef.Rule.atMost(SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MAX_MS, 0, ""))
            .rule(ConfigDef.Rule.atMost(NACK_BACKOFF_MS, NACK_BACKOFF_MAX_MS, 0, ""));

    /** Validates every field against {@link #DEF}. */
    public GroupConfig {
        DEF.validate(ConfigValues.empty().with(ACK_TIMEOUT_MS, ackTimeoutMs).with(MAX_DELIVERIES, maxDeliveries)
                .with(SESSION_TIMEOUT_MS, sessionTimeoutMs).with(SESSION_TIMEOUT_MIN_MS, sessionTimeoutMinMs)
                .with(SESSION_TIMEOUT_MAX_MS, sessionTimeoutMaxMs).with(NACK_BACKOFF_MS, nackBackoffMs)
                .with(NACK_BACKOFF_MAX_MS, nackBackoffMaxMs).with(MAX_UNACKED_PER_MEMBER, maxUnackedPerMember)
                .with(MEMBERS_MAX, membersMax).with(GROUPS_MAX, groupsMax)
                .with(ACKS_PER_REQUEST_MAX, acksPerRequestMax).with(POLL_MESSAGES_MAX, pollMessagesMax)
                .with(DELIVERY_WINDOW_MAX, deliveryWindowMax).with(NACK_ERROR_BYTES_MAX, nackErrorBytesMax)
                .with(DELIVERY_HORIZON_MESSAGES, deliveryHorizonMessages));
    }

    /**
     * The group settings among {@code values} (others are ignored).
     *
     * @throws IllegalArgumentException naming the setting, its value and what is allowed
     */
    public static GroupConfig from(ConfigValues v) {
        return new GroupConfig(v.get(ACK_TIMEOUT_MS), v.get(MAX_DELIVERIES), v.get(SESSION_TIMEOUT_MS),
                v.get(SESSION_TIMEOUT_MIN_MS), v.get(SESSION_TIMEOUT_MAX_MS), v.get(NACK_BACKOFF_MS),
                v.get(NACK_BACKOFF_MAX_MS), v.get(MAX_UNACKED_PER_MEMBER), v.get(MEMBERS_MAX), v.get(GROUPS_MAX),
                v.get(ACKS_PER_REQUEST_MAX), v.get(POLL_MESSAGES_MAX), v.get(DELIVERY_WINDOW_MAX),
                v.get(NACK_ERROR_BYTES_MAX), v.get(DELIVERY_HORIZON_MESSAGES));
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

    /** Whether new deliveries may be answered ahead of their records (see {@link #deliveryHorizonMessages}). */
    public boolean deliveryHorizonOn() {
        return deliveryHorizonMessages > 0 && maxDeliveries > 1;
    }

    /** Mutable builder; not thread-safe. Starts from the defaults. */
    public static final class Builder {
        private ConfigValues values = ConfigValues.empty();

        private Builder() {
        }

        public Builder ackTimeoutMs(long v) {
            return set(ACK_TIMEOUT_MS, v);
        }

        public Builder maxDeliveries(int v) {
            return set(MAX_DELIVERIES, v);
        }

        public Builder sessionTimeoutMs(long v) {
            return set(SESSION_TIMEOUT_MS, v);
        }

        public Builder sessionTimeoutMinMs(long v) {
            return set(SESSION_TIMEOUT_MIN_MS, v);
        }

        public Builder sessionTimeoutMaxMs(long v) {
            return set(SESSION_TIMEOUT_MAX_MS, v);
        }

        public Builder nackBackoffMs(long v) {
            return set(NACK_BACKOFF_MS, v);
        }

        public Builder nackBackoffMaxMs(long v) {
            return set(NACK_BACKOFF_MAX_MS, v);
        }

        public Builder maxUnackedPerMember(int v) {
            return set(MAX_UNACKED_PER_MEMBER, v);
        }

        public Builder membersMax(int v) {
            return set(MEMBERS_MAX, v);
        }

        public Builder groupsMax(int v) {
            return set(GROUPS_MAX, v);
        }

        public Builder acksPerRequestMax(int v) {
            return set(ACKS_PER_REQUEST_MAX, v);
        }

        public Builder pollMessagesMax(int v) {
            return set(POLL_MESSAGES_MAX, v);
        }

        public Builder deliveryWindowMax(int v) {
            return set(DELIVERY_WINDOW_MAX, v);
        }

        public Builder nackErrorBytesMax(int v) {
            return set(NACK_ERROR_BYTES_MAX, v);
        }

        public Builder deliveryHorizonMessages(int v) {
            return set(DELIVERY_HORIZON_MESSAGES, v);
        }

        private <T> Builder set(Setting<T> setting, T v) {
            values = values.with(setting, v);
            return this;
        }

        public GroupConfig build() {
            return from(values);
        }
    }
}
