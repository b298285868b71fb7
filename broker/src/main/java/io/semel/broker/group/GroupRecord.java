package io.semel.broker.group;

import io.semel.protocol.Protocol;

/**
 * One durable fact about a consumer group. The shell persists these (group commit with fsync)
 * before it sends the replies of the {@link Decision} that produced them, wrapping each encoded
 * record ({@link GroupRecordCodec}) in a log record keyed by the group name. {@link
 * GroupState#replay} rebuilds a group from its records in the order they were persisted.
 *
 * <p>What is durable: the group's topic, the member-id counter, lease epochs, delivery counts,
 * settlements (ack floor plus settled offsets above it) and pending dead-letter requests. What is
 * not: members, lease holders, deadlines and backoffs (clients rejoin; in-flight deliveries become
 * due at once after a restart).
 *
 * <p>All records are immutable values and validate their fields ({@link IllegalArgumentException}).
 */
public sealed interface GroupRecord {

    /** First record of every group: its name, the one topic it consumes and that topic's partition count. */
    record GroupCreated(String group, String topic, int partitionCount) implements GroupRecord {
        public GroupCreated {
            GroupNames.requireValid("group", group);
            GroupNames.requireValid("topic", topic);
            partitionCountInRange(partitionCount, 1);
        }
    }

    /** Member ids up to {@code sequence} were issued; keeps ids unique across restarts. */
    record MemberIdIssued(long sequence) implements GroupRecord {
        public MemberIdIssued {
            atLeast("sequence", sequence, 1);
        }
    }

    /** The lease of {@code partition} was granted with this epoch (strictly greater than every earlier one). */
    record LeaseGranted(int partition, long leaseEpoch) implements GroupRecord {
        public LeaseGranted {
            atLeast("partition", partition, 0);
            atLeast("leaseEpoch", leaseEpoch, 1);
        }
    }

    /** {@code offset} was (or is about to be) handed out for the {@code deliveryCount}-th time. */
    record Delivered(int partition, long offset, int deliveryCount) implements GroupRecord {
        public Delivered {
            atLeast("partition", partition, 0);
            atLeast("offset", offset, 0);
            atLeast("deliveryCount", deliveryCount, 1);
        }
    }

    /**
     * The holder of {@code offset}'s {@code deliveryCount}-th delivery left the group cleanly without
     * settling it. The delivery count keeps growing with every delivery, but released deliveries are
     * not attempts: {@code releases} is the offset's running total of them, and only
     * {@code deliveryCount - releases} counts towards maxDeliveries.
     */
    record Released(int partition, long offset, int deliveryCount, int releases) implements GroupRecord {
        public Released {
            atLeast("partition", partition, 0);
            atLeast("offset", offset, 0);
            atLeast("deliveryCount", deliveryCount, 1);
            atLeast("releases", releases, 1);
            if (releases > deliveryCount) {
                throw new IllegalArgumentException("releases " + releases + " exceed deliveryCount " + deliveryCount);
            }
        }
    }

    /** {@code offset} exhausted its deliveries and must be copied to the dead-letter topic. */
    record DeadLetterRequested(int partition, long offset, int deliveryCount, String error) implements GroupRecord {
        public DeadLetterRequested {
            atLeast("partition", partition, 0);
            atLeast("offset", offset, 0);
            atLeast("deliveryCount", deliveryCount, 1);
            java.util.Objects.requireNonNull(error, "error");
        }
    }

    /** {@code offset} is settled for good: acked, or its dead-letter copy is durable. */
    record Settled(int partition, long offset, SettleReason reason) implements GroupRecord {
        public Settled {
            atLeast("partition", partition, 0);
            atLeast("offset", offset, 0);
            java.util.Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Offsets {@code firstOffset..lastOffset} (inclusive, at least two) were each settled for the
     * same reason, in that order: exactly the run of {@link Settled} records it replaces. The
     * decision core makes one for each run of offsets an ack settles (a batch acked in order is one
     * record), and the shell coalesces runs of single records ({@link GroupRecords#coalesced}).
     */
    record SettledRange(int partition, long firstOffset, long lastOffset, SettleReason reason) implements GroupRecord {
        public SettledRange {
            atLeast("partition", partition, 0);
            atLeast("firstOffset", firstOffset, 0);
            atLeast("lastOffset", lastOffset, firstOffset + 1);
            atMostOffsets(firstOffset, lastOffset);
            java.util.Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Offsets {@code firstOffset..lastOffset} (inclusive, at least two) were each handed out for the
     * {@code deliveryCount}-th time, in that order: the run of {@link Delivered} records it replaces.
     * The decision core makes one for a poll's new offsets (two when they straddle the durable
     * delivery horizon: the part below it may be answered ahead).
     */
    record DeliveredRange(int partition, long firstOffset, long lastOffset, int deliveryCount) implements GroupRecord {
        public DeliveredRange {
            atLeast("partition", partition, 0);
            atLeast("firstOffset", firstOffset, 0);
            atLeast("lastOffset", lastOffset, firstOffset + 1);
            atMostOffsets(firstOffset, lastOffset);
            atLeast("deliveryCount", deliveryCount, 1);
        }
    }

    /** Every offset of {@code partition} below {@code ackFloor} is settled (written by snapshots). */
    record AckFloor(int partition, long ackFloor) implements GroupRecord {
        public AckFloor {
            atLeast("partition", partition, 0);
            atLeast("ackFloor", ackFloor, 0);
        }
    }

    /**
     * An operator moved the group's position on {@code partition} (RESET_GROUP, only without
     * members): every offset below {@code offset} counts as settled, every offset from it as never
     * delivered; in-flight and settled state of the partition is dropped. May move backwards.
     */
    record PositionReset(int partition, long offset) implements GroupRecord {
        public PositionReset {
            atLeast("partition", partition, 0);
            atLeast("offset", offset, 0);
        }
    }

    /**
     * New deliveries of {@code partition} below {@code offset} may be answered before their own
     * {@link Delivered} records are durable, once this record is. A crash can then lose the record of
     * a delivery that went out, so replay counts every offset from the next recorded one up to
     * {@code min(offset, the partition's durable end)} as delivered once: a delivery count still
     * never goes down and a redelivery never says 1 again, at the price of one extra count after a
     * crash for offsets that had not gone out. A later record moves the horizon; a
     * {@link PositionReset} sets it to the reset offset.
     */
    record DeliveryHorizon(int partition, long offset) implements GroupRecord {
        public DeliveryHorizon {
            atLeast("partition", partition, 0);
            atLeast("offset", offset, 0);
        }
    }

    /** The group's topic grew to {@code partitionCount} partitions (ADD_PARTITIONS); the new ones start at 0. */
    record PartitionsAdded(int partitionCount) implements GroupRecord {
        public PartitionsAdded {
            partitionCountInRange(partitionCount, 2);
        }
    }

    /**
     * The group was deleted (with its topic). Replay forgets every record of the group up to here;
     * a group of the same name created later starts after it with its own {@code GroupCreated}.
     */
    record GroupDeleted() implements GroupRecord {
    }

    /** Why an offset was settled. Wire values are fixed. */
    enum SettleReason {
        ACKED(1),
        DEAD_LETTERED(2);

        private final byte wire;

        SettleReason(int wire) {
            this.wire = (byte) wire;
        }

        public byte wire() {
            return wire;
        }

        /** The reason for a wire value, or null if unknown. */
        public static SettleReason forWire(byte wire) {
            for (SettleReason r : values()) {
                if (r.wire == wire) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * Offsets one range record may cover: a replay that cannot stage it as a run (a redelivery, a
     * range settled above the floor) expands it offset by offset.
     */
    int RANGE_OFFSETS_MAX = 1_000_000;

    private static void atMostOffsets(long firstOffset, long lastOffset) {
        if (lastOffset - firstOffset + 1 > RANGE_OFFSETS_MAX) {
            throw new IllegalArgumentException("range " + firstOffset + ".." + lastOffset + " covers more than "
                    + RANGE_OFFSETS_MAX + " offsets (RANGE_OFFSETS_MAX)");
        }
    }

    /** Up to the protocol's limit: replay allocates per partition, so a corrupt count must not reach it. */
    private static void partitionCountInRange(int partitionCount, int min) {
        if (partitionCount < min || partitionCount > Protocol.MAX_PARTITIONS_PER_TOPIC) {
            throw new IllegalArgumentException("partitionCount must be in " + min + ".."
                    + Protocol.MAX_PARTITIONS_PER_TOPIC + " (Protocol.MAX_PARTITIONS_PER_TOPIC), was " + partitionCount);
        }
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
    }
}
