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
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a {@link GroupState} from its records and writes the minimal snapshot of one. The two
 * are inverse: {@code replay(snapshot(g))} has g's durable state. Stateless.
 *
 * <p>Replay is strict about facts that cannot occur in a log written by {@link GroupState} (a
 * second settlement, a delivery after settlement, a delivery count or lease epoch going down) and
 * reports them as {@link Reason#INCONSISTENT}: group records are the source of truth, so guessing
 * would risk settling a message twice or never.
 */
final class GroupReplay {
    private GroupReplay() {
    }

    static GroupState replay(GroupConfig config, List<GroupRecord> records) throws CorruptGroupRecordException {
        if (records.isEmpty() || !(records.get(0) instanceof GroupCreated created)) {
            throw new CorruptGroupRecordException(Reason.INCONSISTENT, "group records must start with GroupCreated, got "
                    + (records.isEmpty() ? "none" : records.get(0)));
        }
        GroupState g = new GroupState(created.group(), created.topic(), created.partitionCount(), config);
        for (int i = 1; i < records.size(); i++) {
            GroupRecord r = records.get(i);
            try {
                apply(g, r);
            } catch (CorruptGroupRecordException e) {
                throw new CorruptGroupRecordException(e.reason(), "group '" + g.name() + "' record " + i + " ("
                        + r + "): " + e.getMessage());
            }
        }
        Effects decided = new Effects();
        for (int p = 0; p < g.partitionCount(); p++) {
            try {
                finish(g.progress(p), config.deliveryWindowMax(), decided);
            } catch (CorruptGroupRecordException e) {
                throw new CorruptGroupRecordException(e.reason(), "group '" + g.name() + "' partition " + p + ": "
                        + e.getMessage());
            }
        }
        // What replay decided by itself is not in the log yet: it goes out with GroupState.recovered().
        decided.records().forEach(g::unpersisted);
        return g;
    }

    private static void apply(GroupState g, GroupRecord r) throws CorruptGroupRecordException {
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
            applyFloor(partition(g, f.partition()), f.ackFloor());
        } else if (r instanceof Delivered d) {
            applyDelivered(partition(g, d.partition()), d.offset(), d.deliveryCount());
        } else if (r instanceof DeadLetterRequested d) {
            PartitionProgress pp = partition(g, d.partition());
            DeliverySlot s = pp.slots.get(d.offset());
            if (s == null || s.deliveryCount != d.deliveryCount() || s.state() != SlotState.DELIVERED) {
                throw inconsistent("dead-letter request for an offset not in flight with that count");
            }
            s.lastError = d.error();
            s.moveTo(SlotState.DEAD_LETTER_PENDING);
        } else if (r instanceof Released rel) {
            DeliverySlot s = partition(g, rel.partition()).slots.get(rel.offset());
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
            pp.slots.remove(st.offset());
            pp.nextOffset = Math.max(pp.nextOffset, st.offset() + 1);
            pp.markSettled(st.offset(), st.reason());
        } else if (r instanceof GroupRecord.SettledRange range) {
            for (long o = range.firstOffset(); o <= range.lastOffset(); o++) {
                apply(g, new Settled(range.partition(), o, range.reason()));
            }
        } else if (r instanceof GroupRecord.DeliveredRange range) {
            for (long o = range.firstOffset(); o <= range.lastOffset(); o++) {
                applyDelivered(partition(g, range.partition()), o, range.deliveryCount());
            }
        } else if (r instanceof GroupRecord.PositionReset reset) {
            partition(g, reset.partition()).reset(reset.offset());
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

    private static void applyFloor(PartitionProgress pp, long floor) {
        if (floor <= pp.ackFloor) {
            return;
        }
        pp.ackFloor = floor;
        pp.settled.headMap(floor).clear();
        pp.slots.headMap(floor).clear();
        pp.nextOffset = Math.max(pp.nextOffset, floor);
        // Re-normalise: offsets settled just above the new floor join it.
        pp.advanceFloor();
    }

    private static void applyDelivered(PartitionProgress pp, long offset, int count) throws CorruptGroupRecordException {
        if (pp.isSettled(offset)) {
            throw inconsistent("offset " + offset + " delivered after it was settled");
        }
        DeliverySlot s = pp.slots.get(offset);
        if (s == null) {
            pp.slots.put(offset, new DeliverySlot(offset, SlotState.DELIVERED, count));
        } else if (s.state() != SlotState.DELIVERED || count <= s.deliveryCount) {
            throw inconsistent("offset " + offset + " delivered with count " + count + " after count "
                    + s.deliveryCount + " in state " + s.state());
        } else {
            s.deliveryCount = count;
        }
        pp.nextOffset = Math.max(pp.nextOffset, offset + 1);
    }

    /**
     * End of replay: nothing is delivered any more; everything in flight is due now.
     *
     * @throws CorruptGroupRecordException INCONSISTENT when more offsets below the next offset lack a
     *     record than {@code deliveryWindowMax} (the most a group ever has in flight above its
     *     floor): filling them in would take memory without bound (a Delivered record at offset
     *     2^40 would ask for 2^40 slots)
     */
    private static void finish(PartitionProgress pp, long deliveryWindowMax, Effects decided)
            throws CorruptGroupRecordException {
        long recorded = pp.settled.subMap(pp.ackFloor, pp.nextOffset).size()
                + pp.slots.subMap(pp.ackFloor, pp.nextOffset).size();
        long unrecorded = pp.nextOffset - pp.ackFloor - recorded;
        if (unrecorded > deliveryWindowMax) {
            throw inconsistent(unrecorded + " offsets in [" + pp.ackFloor + ", " + pp.nextOffset
                    + ") have no record, more than deliveryWindowMax " + deliveryWindowMax + " could leave in flight");
        }
        // Unreachable with a prefix-truncated log; if it happens, assume one earlier delivery so a
        // redelivery never claims count 1. Bounded by the check above.
        for (long o = pp.ackFloor; o < pp.nextOffset; o++) {
            if (!pp.settled.containsKey(o) && !pp.slots.containsKey(o)) {
                pp.slots.put(o, new DeliverySlot(o, SlotState.DELIVERED, 1));
            }
        }
        for (DeliverySlot s : pp.slots.values()) {
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
            for (Map.Entry<Long, SettleReason> e : pp.settled.entrySet()) {
                out.add(new Settled(p, e.getKey(), e.getValue()));
            }
            for (DeliverySlot s : pp.slots.values()) {
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
