package io.semel.broker.group;

import io.semel.broker.group.CorruptGroupRecordException.Reason;
import io.semel.broker.group.GroupRecord.AckFloor;
import io.semel.broker.group.GroupRecord.DeadLetterRequested;
import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.Released;
import io.semel.broker.group.GroupRecord.GroupCreated;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.MemberIdIssued;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds a {@link GroupState} from its records and writes the minimal snapshot of one. The two
 * are inverse: {@code replay(snapshot(g))} has g's durable state. Stateless.
 *
 * <p>Replay is strict about facts that cannot occur in a log written by {@link GroupState} (a
 * second settlement, a delivery after settlement, a delivery count or lease epoch going down) and
 * reports them as {@link Reason#INCONSISTENT}: group records are the source of truth, so guessing
 * would risk settling a message twice or never.
 *
 * <p>Replayed slots are staged in a sorted map per partition and move into the partition's
 * {@link SlotTable} only in {@link #finish}: the table is dense over its offset span, and a corrupt
 * log may name an offset far above the floor (2^40), which finish must reject as INCONSISTENT
 * before anything allocates that span.
 */
final class GroupReplay {
    private GroupReplay() {
    }

    static GroupState replay(GroupConfig config, List<GroupRecord> records, GroupState.DurableEnds ends)
            throws CorruptGroupRecordException {
        if (records.isEmpty() || !(records.get(0) instanceof GroupCreated created)) {
            throw new CorruptGroupRecordException(Reason.INCONSISTENT, "group records must start with GroupCreated, got "
                    + (records.isEmpty() ? "none" : records.get(0)));
        }
        GroupState g = new GroupState(created.group(), created.topic(), created.partitionCount(), config);
        Staged staged = new Staged();
        for (int i = 1; i < records.size(); i++) {
            GroupRecord r = records.get(i);
            try {
                apply(g, staged, r);
            } catch (CorruptGroupRecordException e) {
                throw new CorruptGroupRecordException(e.reason(), "group '" + g.name() + "' record " + i + " ("
                        + r + "): " + e.getMessage());
            }
        }
        Effects decided = new Effects();
        for (int p = 0; p < g.partitionCount(); p++) {
            try {
                assumeDeliveredBelowHorizon(g.progress(p), ends.durableEnd(g.topic(), p), config.deliveryWindowMax());
                finish(g.progress(p), staged.slots(g.progress(p)), config.deliveryWindowMax(), decided);
            } catch (CorruptGroupRecordException e) {
                throw new CorruptGroupRecordException(e.reason(), "group '" + g.name() + "' partition " + p + ": "
                        + e.getMessage());
            }
        }
        // What replay decided by itself is not in the log yet: it goes out with GroupState.recovered().
        decided.records().forEach(g::unpersisted);
        return g;
    }

    /** Slots replayed so far, by partition; sparse (see the class comment). */
    private static final class Staged {
        private final Map<Integer, TreeMap<Long, DeliverySlot>> byPartition = new HashMap<>();

        TreeMap<Long, DeliverySlot> slots(PartitionProgress pp) {
            return byPartition.computeIfAbsent(pp.partition, p -> new TreeMap<>());
        }
    }

    private static void apply(GroupState g, Staged staged, GroupRecord r) throws CorruptGroupRecordException {
        if (r instanceof GroupCreated) {
            throw inconsistent("second GroupCreated");
        } else if (r instanceof MemberIdIssued m) {
            g.setMemberIdSequence(m.sequence());
        } else if (r instanceof LeaseGranted l) {
            PartitionProgress pp = partition(g, l.partition());
            if (l.leaseEpoch() <= pp.leaseEpoch) {
                throw inconsistent("lease epoch " + l.leaseEpoch() + " not above " + pp.leaseEpoch);
            }
            pp.leaseEpoch = l.leaseEpoch();
        } else if (r instanceof AckFloor f) {
            PartitionProgress pp = partition(g, f.partition());
            applyFloor(pp, staged.slots(pp), f.ackFloor());
        } else if (r instanceof Delivered d) {
            PartitionProgress pp = partition(g, d.partition());
            applyDelivered(pp, staged.slots(pp), d.offset(), d.deliveryCount());
        } else if (r instanceof DeadLetterRequested d) {
            PartitionProgress pp = partition(g, d.partition());
            DeliverySlot s = staged.slots(pp).get(d.offset());
            if (s == null || s.deliveryCount != d.deliveryCount() || s.state() != SlotState.DELIVERED) {
                throw inconsistent("dead-letter request for an offset not in flight with that count");
            }
            s.lastError = d.error();
            s.moveTo(SlotState.DEAD_LETTER_PENDING);
        } else if (r instanceof Released rel) {
            DeliverySlot s = staged.slots(partition(g, rel.partition())).get(rel.offset());
            if (s == null || s.deliveryCount != rel.deliveryCount() || s.state() != SlotState.DELIVERED
                    || rel.releases() <= s.releases) {
                throw inconsistent("release of an offset not in flight with that count, or releases not growing");
            }
            s.releases = rel.releases();
        } else if (r instanceof Settled st) {
            PartitionProgress pp = partition(g, st.partition());
            if (pp.isSettled(st.offset())) {
                throw inconsistent("offset " + st.offset() + " settled twice");
            }
            staged.slots(pp).remove(st.offset());
            pp.nextOffset = Math.max(pp.nextOffset, st.offset() + 1);
            pp.markSettled(st.offset(), st.reason());
        } else if (r instanceof GroupRecord.SettledRange range) {
            for (long o = range.firstOffset(); o <= range.lastOffset(); o++) {
                apply(g, staged, new Settled(range.partition(), o, range.reason()));
            }
        } else if (r instanceof GroupRecord.DeliveredRange range) {
            PartitionProgress pp = partition(g, range.partition());
            for (long o = range.firstOffset(); o <= range.lastOffset(); o++) {
                applyDelivered(pp, staged.slots(pp), o, range.deliveryCount());
            }
        } else if (r instanceof GroupRecord.PositionReset reset) {
            PartitionProgress pp = partition(g, reset.partition());
            pp.reset(reset.offset());
            staged.slots(pp).clear();
        } else if (r instanceof GroupRecord.DeliveryHorizon h) {
            PartitionProgress pp = partition(g, h.partition());
            pp.horizon = h.offset();
            pp.horizonDurable = h.offset();
        } else if (r instanceof GroupRecord.PartitionsAdded added) {
            if (added.partitionCount() <= g.partitionCount()) {
                throw inconsistent("partitions added to " + added.partitionCount() + " but the group has "
                        + g.partitionCount());
            }
            g.growTo(added.partitionCount());
        } else if (r instanceof GroupRecord.GroupDeleted) {
            throw inconsistent("records after GroupDeleted without a new GroupCreated");
        } else {
            throw new AssertionError("unhandled record " + r);
        }
    }

    private static void applyFloor(PartitionProgress pp, TreeMap<Long, DeliverySlot> slots, long floor) {
        if (floor <= pp.ackFloor) {
            return;
        }
        pp.ackFloor = floor;
        pp.settled.headMap(floor).clear();
        slots.headMap(floor).clear();
        pp.nextOffset = Math.max(pp.nextOffset, floor);
        // Re-normalise: offsets settled just above the new floor join it.
        pp.advanceFloor();
    }

    private static void applyDelivered(PartitionProgress pp, TreeMap<Long, DeliverySlot> slots, long offset, int count)
            throws CorruptGroupRecordException {
        if (pp.isSettled(offset)) {
            throw inconsistent("offset " + offset + " delivered after it was settled");
        }
        DeliverySlot s = slots.get(offset);
        if (s == null) {
            slots.put(offset, new DeliverySlot(offset, SlotState.DELIVERED, count));
        } else if (s.state() != SlotState.DELIVERED || count <= s.deliveryCount) {
            throw inconsistent("offset " + offset + " delivered with count " + count + " after count "
                    + s.deliveryCount + " in state " + s.state());
        } else {
            s.deliveryCount = count;
        }
        pp.nextOffset = Math.max(pp.nextOffset, offset + 1);
    }

    /**
     * A first delivery below the durable horizon may have gone out without its record reaching the
     * log: every offset from the next recorded one up to the horizon counts as delivered once
     * ({@link #finish} fills them in with count 1). Nothing at or above the partition's durable end
     * was ever handed out, and nothing at or above {@code ackFloor + deliveryWindowMax}: a horizon
     * is recorded within the window, so only a window lowered since can cut it (then the offsets
     * beyond it, if delivered before the crash, say count 1 again).
     */
    private static void assumeDeliveredBelowHorizon(PartitionProgress pp, long durableEnd, long deliveryWindowMax) {
        long assumed = Math.min(Math.min(pp.horizon, durableEnd), pp.ackFloor + deliveryWindowMax);
        if (assumed > pp.nextOffset) {
            pp.nextOffset = assumed;
        }
    }

    /**
     * End of replay: nothing is delivered any more; everything in flight is due now.
     *
     * @throws CorruptGroupRecordException INCONSISTENT when more offsets below the next offset lack a
     *     record than {@code deliveryWindowMax} (the most a group ever has in flight above its
     *     floor): filling them in would take memory without bound (a Delivered record at offset
     *     2^40 would ask for 2^40 slots)
     */
    private static void finish(PartitionProgress pp, TreeMap<Long, DeliverySlot> slots, long deliveryWindowMax,
            Effects decided) throws CorruptGroupRecordException {
        long recorded = pp.settled.subMap(pp.ackFloor, pp.nextOffset).size()
                + slots.subMap(pp.ackFloor, pp.nextOffset).size();
        long unrecorded = pp.nextOffset - pp.ackFloor - recorded;
        if (unrecorded > deliveryWindowMax) {
            throw inconsistent(unrecorded + " offsets in [" + pp.ackFloor + ", " + pp.nextOffset
                    + ") have no record, more than deliveryWindowMax " + deliveryWindowMax + " could leave in flight");
        }
        // Offsets below the horizon whose records a crash lost (see assumeDeliveredBelowHorizon), or
        // a prefix-truncated log: assume one earlier delivery so a redelivery never claims count 1.
        // Bounded by the check above.
        for (long o = pp.ackFloor; o < pp.nextOffset; o++) {
            if (!pp.settled.containsKey(o) && !slots.containsKey(o)) {
                slots.put(o, new DeliverySlot(o, SlotState.DELIVERED, 1));
            }
        }
        // The span is bounded now (checked above): the slots can go into the dense table.
        assert pp.slots.isEmpty() : "partition " + pp.partition + " has live slots during replay";
        for (DeliverySlot s : slots.values()) {
            pp.slots.add(s);
        }
        for (DeliverySlot s : pp.slots) {
            if (s.state() == SlotState.DELIVERED) {
                // A delivery that used up maxDeliveries becomes a dead-letter request here; its
                // record must be durable before the copy, like any other (it numbers the copy).
                pp.makeDue(s, Long.MIN_VALUE, GroupState.ERROR_BROKER_RESTART, decided);
            }
        }
        assert pp.checkInvariants();
    }

    static List<GroupRecord> snapshot(GroupState g) {
        List<GroupRecord> out = new ArrayList<>();
        out.add(new GroupCreated(g.name(), g.topic(), g.partitionCount()));
        if (g.memberIdSequence() > 0) {
            out.add(new MemberIdIssued(g.memberIdSequence()));
        }
        for (int p = 0; p < g.partitionCount(); p++) {
            PartitionProgress pp = g.progress(p);
            if (pp.leaseEpoch > 0) {
                out.add(new LeaseGranted(p, pp.leaseEpoch));
            }
            if (pp.ackFloor > 0) {
                out.add(new AckFloor(p, pp.ackFloor));
            }
            if (pp.horizon > pp.nextOffset) {
                out.add(new GroupRecord.DeliveryHorizon(p, pp.horizon));
            }
            for (Map.Entry<Long, SettleReason> e : pp.settled.entrySet()) {
                out.add(new Settled(p, e.getKey(), e.getValue()));
            }
            for (DeliverySlot s : pp.slots) {
                out.add(new Delivered(p, s.offset, s.deliveryCount));
                if (s.releases > 0) {
                    out.add(new Released(p, s.offset, s.deliveryCount, s.releases));
                }
                if (s.state() == SlotState.DEAD_LETTER_PENDING) {
                    out.add(new DeadLetterRequested(p, s.offset, s.deliveryCount, s.lastError));
                }
            }
        }
        return out;
    }

    private static PartitionProgress partition(GroupState g, int partition) throws CorruptGroupRecordException {
        if (partition >= g.partitionCount()) {
            throw inconsistent("partition " + partition + " outside [0, " + g.partitionCount() + ")");
        }
        return g.progress(partition);
    }

    private static CorruptGroupRecordException inconsistent(String message) {
        return new CorruptGroupRecordException(Reason.INCONSISTENT, message);
    }
}
