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
 * <p>Replayed slots are staged per partition (single slots in a sorted map, first deliveries as
 * runs: {@link StagedSlots}) and move into the partition's
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
                finish(g.progress(p), staged.of(g.progress(p)), config.deliveryWindowMax(), decided);
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
        private final Map<Integer, StagedSlots> byPartition = new HashMap<>();

        StagedSlots of(PartitionProgress pp) {
            return byPartition.computeIfAbsent(pp.partition, p -> new StagedSlots());
        }
    }

    /**
     * One partition's staged slots: single slots by offset, and runs of first deliveries kept as
     * ranges. A consumer that acks in order writes a {@link GroupRecord.DeliveredRange} of thousands of
     * fresh offsets and then a {@link GroupRecord.SettledRange} of the same ones at the floor; staged
     * offset by offset, a group log of 800,000 such records (37 groups that had each consumed 40M
     * messages) took 3 min 13 s to replay, during which the broker did not listen. As runs, each
     * record costs a few map operations whatever its length.
     *
     * <p>Invariants: runs overlap neither each other nor a single slot; every run offset is at or
     * above the partition's ack floor, below its next offset, and not settled. Any record about one
     * offset first turns that offset of its run into a single slot ({@link #single}), or, settling
     * it, takes it out of its run ({@link #removeRuns}).
     */
    private static final class StagedSlots {
        /** Offsets delivered with their own state (redeliveries, dead-letter requests, releases). */
        final TreeMap<Long, DeliverySlot> slots = new TreeMap<>();
        /** First deliveries, by first offset: last offset and delivery count of each. */
        final TreeMap<Long, Run> runs = new TreeMap<>();

        record Run(long first, long last, int deliveryCount) {
            long size() {
                return last - first + 1;
            }
        }

        /** The slot of {@code offset}, taken out of its run first if it is in one; null when not staged. */
        DeliverySlot single(long offset) {
            Map.Entry<Long, Run> e = runs.floorEntry(offset);
            if (e != null && e.getValue().last() >= offset) {
                Run r = e.getValue();
                cut(r, offset, offset);
                DeliverySlot s = new DeliverySlot(offset, SlotState.DELIVERED, r.deliveryCount());
                slots.put(offset, s);
                return s;
            }
            return slots.get(offset);
        }

        /** Removes the offsets {@code [from, to]} from the runs (single slots stay). */
        void removeRuns(long from, long to) {
            Map.Entry<Long, Run> straddling = runs.lowerEntry(from);
            if (straddling != null && straddling.getValue().last() >= from) {
                cut(straddling.getValue(), from, to);
            }
            while (true) {
                Map.Entry<Long, Run> e = runs.ceilingEntry(from);
                if (e == null || e.getKey() > to) {
                    return;
                }
                cut(e.getValue(), from, to);
            }
        }

        /** Replaces {@code r} by what of it lies outside {@code [from, to]}. */
        private void cut(Run r, long from, long to) {
            runs.remove(r.first());
            if (r.first() < from) {
                runs.put(r.first(), new Run(r.first(), from - 1, r.deliveryCount()));
            }
            if (r.last() > to) {
                long start = Math.max(r.first(), to + 1);
                runs.put(start, new Run(start, r.last(), r.deliveryCount()));
            }
        }

        long runOffsets() {
            long n = 0;
            for (Run r : runs.values()) {
                n += r.size();
            }
            return n;
        }

        void clear() {
            slots.clear();
            runs.clear();
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
            applyFloor(pp, staged.of(pp), f.ackFloor());
        } else if (r instanceof Delivered d) {
            PartitionProgress pp = partition(g, d.partition());
            applyDelivered(pp, staged.of(pp), d.offset(), d.deliveryCount());
        } else if (r instanceof DeadLetterRequested d) {
            PartitionProgress pp = partition(g, d.partition());
            DeliverySlot s = staged.of(pp).single(d.offset());
            if (s == null || s.deliveryCount != d.deliveryCount() || s.state() != SlotState.DELIVERED) {
                throw inconsistent("dead-letter request for an offset not in flight with that count");
            }
            s.lastError = d.error();
            s.moveTo(SlotState.DEAD_LETTER_PENDING);
        } else if (r instanceof Released rel) {
            DeliverySlot s = staged.of(partition(g, rel.partition())).single(rel.offset());
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
            StagedSlots staging = staged.of(pp);
            staging.removeRuns(st.offset(), st.offset());
            staging.slots.remove(st.offset());
            pp.nextOffset = Math.max(pp.nextOffset, st.offset() + 1);
            pp.markSettled(st.offset(), st.reason());
        } else if (r instanceof GroupRecord.SettledRange range) {
            PartitionProgress pp = partition(g, range.partition());
            if (!settleAtFloor(pp, staged.of(pp), range)) {
                for (long o = range.firstOffset(); o <= range.lastOffset(); o++) {
                    apply(g, staged, new Settled(range.partition(), o, range.reason()));
                }
            }
        } else if (r instanceof GroupRecord.DeliveredRange range) {
            PartitionProgress pp = partition(g, range.partition());
            if (range.firstOffset() >= pp.nextOffset) {
                // Fresh offsets: none is staged or settled (both lie below nextOffset), so no check can fail.
                staged.of(pp).runs.put(range.firstOffset(), new StagedSlots.Run(range.firstOffset(),
                        range.lastOffset(), range.deliveryCount()));
                pp.nextOffset = range.lastOffset() + 1;
            } else {
                for (long o = range.firstOffset(); o <= range.lastOffset(); o++) {
                    applyDelivered(pp, staged.of(pp), o, range.deliveryCount());
                }
            }
        } else if (r instanceof GroupRecord.PositionReset reset) {
            PartitionProgress pp = partition(g, reset.partition());
            pp.reset(reset.offset());
            staged.of(pp).clear();
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

    /**
     * A settled range that starts at the floor with nothing settled inside it (acks in order, the
     * common case): the floor moves past it in one step, as settling it offset by offset would move
     * it, and its staged slots and runs go. False, with nothing changed, for any other range.
     */
    private static boolean settleAtFloor(PartitionProgress pp, StagedSlots staging, GroupRecord.SettledRange range) {
        long first = range.firstOffset();
        long last = range.lastOffset();
        if (first != pp.ackFloor || (!pp.settled.isEmpty() && pp.settled.firstKey() <= last)) {
            return false;
        }
        staging.slots.subMap(first, true, last, true).clear();
        staging.removeRuns(first, last);
        pp.ackFloor = last + 1;
        pp.nextOffset = Math.max(pp.nextOffset, last + 1);
        pp.advanceFloor();
        return true;
    }

    private static void applyFloor(PartitionProgress pp, StagedSlots staging, long floor) {
        if (floor <= pp.ackFloor) {
            return;
        }
        pp.ackFloor = floor;
        pp.settled.headMap(floor).clear();
        staging.slots.headMap(floor).clear();
        staging.removeRuns(Long.MIN_VALUE, floor - 1);
        pp.nextOffset = Math.max(pp.nextOffset, floor);
        // Re-normalise: offsets settled just above the new floor join it.
        pp.advanceFloor();
    }

    private static void applyDelivered(PartitionProgress pp, StagedSlots staging, long offset, int count)
            throws CorruptGroupRecordException {
        if (pp.isSettled(offset)) {
            throw inconsistent("offset " + offset + " delivered after it was settled");
        }
        DeliverySlot s = staging.single(offset);
        if (s == null) {
            staging.slots.put(offset, new DeliverySlot(offset, SlotState.DELIVERED, count));
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
    private static void finish(PartitionProgress pp, StagedSlots staging, long deliveryWindowMax,
            Effects decided) throws CorruptGroupRecordException {
        long inRuns = staging.runOffsets();
        if (inRuns > SlotTable.SPAN_MAX) {
            throw inconsistent(inRuns + " offsets delivered and never settled, more than a partition's slot table holds ("
                    + SlotTable.SPAN_MAX + ")");
        }
        // Every offset still in flight gets its own slot now (runs lie within [ackFloor, nextOffset)).
        TreeMap<Long, DeliverySlot> slots = staging.slots;
        for (StagedSlots.Run r : staging.runs.values()) {
            for (long o = r.first(); o <= r.last(); o++) {
                slots.put(o, new DeliverySlot(o, SlotState.DELIVERED, r.deliveryCount()));
            }
        }
        staging.runs.clear();
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
