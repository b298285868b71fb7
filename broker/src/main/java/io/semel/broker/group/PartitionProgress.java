package io.semel.broker.group;

import io.semel.broker.group.GroupRecord.DeadLetterRequested;
import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.Released;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import io.semel.protocol.AckResultRanges;
import io.semel.protocol.ErrorCode;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * Progress of one group over one partition: lease, ack floor, settled set, in-flight slots, next
 * never-delivered offset. Not thread-safe; owned by its {@link GroupState}.
 *
 * <p>Invariants (checked by {@link #checkInvariants} under {@code -ea} after every command):
 * <ul>
 *   <li>{@code ackFloor <= nextOffset}; every offset below {@code ackFloor} is settled.
 *   <li>Every offset in {@code [ackFloor, nextOffset)} is in exactly one of {@code settled} (never
 *       {@code ackFloor} itself: the floor is advanced over contiguous settled offsets) and
 *       {@code slots}; no offset at or above {@code nextOffset} is in either.
 *   <li>A DELIVERED slot was delivered under the current lease: {@code holder != null} and its
 *       epoch equals {@code leaseEpoch}. (Revoking a lease makes all DELIVERED slots DUE.)
 *   <li>A DUE slot has {@code attempts < maxDeliveries} (deliveries minus clean-leave releases).
 *   <li>{@code leaseEpoch} only grows, by one per grant.
 *   <li>The slot table's per-state counts equal a recount of its slots ({@link SlotTable#checkInvariants}).
 * </ul>
 */
final class PartitionProgress {
    /** Horizons kept waiting for their durability report; each is half a step of deliveries. */
    static final int HORIZONS_PENDING_MAX = 64;
    final int partition;
    private final GroupState group;

    long leaseEpoch;
    String holder;
    long ackFloor;
    long nextOffset;
    /**
     * Out of order settlements only: acks in offset order move the floor without entering it (see
     * {@link #markSettled}), so this stays small and a TreeMap's cost is rarely paid.
     */
    final TreeMap<Long, SettleReason> settled = new TreeMap<>();
    /** In-flight slots by offset, with O(1) counts per state. */
    final SlotTable slots = new SlotTable();
    /** The newest delivery horizon recorded ({@link GroupRecord.DeliveryHorizon}); grows, except on reset. */
    long horizon;
    /** The newest horizon known durable: first deliveries below it may be answered ahead of their records. */
    long horizonDurable;
    /**
     * Horizons recorded and not yet reported durable, oldest first. Matched by identity in
     * {@link #persisted}: a report for a horizon recorded before a reset finds nothing here.
     */
    final java.util.ArrayDeque<GroupRecord.DeliveryHorizon> horizonsPending = new java.util.ArrayDeque<>();

    PartitionProgress(GroupState group, int partition) {
        this.group = group;
        this.partition = partition;
    }

    boolean isSettled(long offset) {
        // Every ack asks; with acks in order the settled set is empty, and the boxed lookup is skipped.
        return offset < ackFloor || (!settled.isEmpty() && settled.containsKey(offset));
    }

    /** DELIVERED slots: the holder's pending acks on this partition. O(1): every poll asks. */
    int unacked() {
        return slots.count(SlotState.DELIVERED);
    }

    /** The lease moves away from the current holder: its deliveries become due for the next one. */
    void revoke(long nowMs, Effects fx) {
        for (DeliverySlot s : slots.inState(SlotState.DELIVERED)) {
            makeDue(s, nowMs, GroupState.ERROR_LEASE_REVOKED, fx);
        }
        holder = null;
    }

    /**
     * The holder left the group cleanly: the lease moves like {@link #revoke}, but its unsettled
     * deliveries are released, not failed — each becomes due at once, its delivery does not count
     * as an attempt (recorded, so a restart keeps that), and none is dead-lettered for it.
     */
    void release(long nowMs, Effects fx) {
        for (DeliverySlot s : slots.inState(SlotState.DELIVERED)) {
            s.releases++;
            fx.record(new Released(partition, s.offset, s.deliveryCount, s.releases));
            s.moveTo(SlotState.DUE);
            s.dueAtMs = nowMs;
        }
        holder = null;
    }

    /** Ack-timeout: DELIVERED slots past their deadline become due now. */
    void expireDeliveries(long nowMs, Effects fx) {
        if (slots.count(SlotState.DELIVERED) == 0) {
            return; // every tick asks, for every partition of every group
        }
        if (slots.freshExpiredBy(nowMs)) {
            slots.materialize(); // else fresh runs stay runs: none of them is due yet
        }
        for (DeliverySlot s : slots.ringSlots()) {
            if (s.state() == SlotState.DELIVERED && s.ackDeadlineMs <= nowMs) {
                makeDue(s, nowMs, GroupState.ERROR_ACK_TIMEOUT, fx);
            }
        }
    }

    /**
     * A delivery is withdrawn. Delivering it again would exceed maxDeliveries: request the
     * dead-letter copy instead (persisted, so the error text survives a restart).
     */
    void makeDue(DeliverySlot s, long dueAtMs, String error, Effects fx) {
        s.lastError = error;
        if (s.attempts() >= group.config().maxDeliveries()) {
            s.moveTo(SlotState.DEAD_LETTER_PENDING);
            fx.record(new DeadLetterRequested(partition, s.offset, s.deliveryCount, error));
            fx.deadLetter(deadLetterRequest(s));
        } else {
            s.moveTo(SlotState.DUE);
            s.dueAtMs = dueAtMs;
        }
    }

    DeadLetterRequest deadLetterRequest(DeliverySlot s) {
        return new DeadLetterRequest(group.name(), group.topic(), partition, s.offset, s.deliveryCount, s.lastError);
    }

    /** Hands out up to {@code budget} messages: due redeliveries first, then new offsets. */
    int deliver(int budget, long nowMs, LogView log, Deliveries.Builder out, Effects fx) {
        assert holder != null : "delivering partition " + partition + " without a lease";
        int given = 0;
        // The scan stops after the last DUE slot: with none (the common case) it costs nothing.
        int dueLeft = slots.count(SlotState.DUE);
        for (Iterator<DeliverySlot> it = slots.inState(SlotState.DUE).iterator(); dueLeft > 0 && it.hasNext(); ) {
            if (given == budget) {
                return given;
            }
            DeliverySlot s = it.next();
            dueLeft--;
            if (s.dueAtMs > nowMs) {
                continue;
            }
            List<MessageRun> read = log.readRuns(partition, s.offset, 1);
            // Not readable (e.g. removed by retention): leave it due rather than guess.
            if (read.isEmpty() || read.get(0).firstOffset() != s.offset) {
                continue;
            }
            assert s.attempts() < group.config().maxDeliveries() : "DUE slot at its delivery limit";
            s.moveTo(SlotState.DELIVERED);
            s.deliveryCount++;
            // A redelivery's record is never answered ahead: a lost record would let its count repeat.
            fx.record(new Delivered(partition, s.offset, s.deliveryCount));
            hand(s, nowMs);
            assert read.get(0).count() == 1 : "a read of at most one message returned " + read.get(0).count();
            out.add(partition, leaseEpoch, s.deliveryCount, read.get(0));
            given++;
        }
        return given + deliverNew(budget - given, nowMs, log, out, fx);
    }

    private int deliverNew(int budget, long nowMs, LogView log, Deliveries.Builder out, Effects fx) {
        long windowEnd = ackFloor + group.config().deliveryWindowMax();
        long limit = Math.min(Math.min(log.logEndOffset(partition), windowEnd) - nextOffset, budget);
        if (limit <= 0) {
            return 0;
        }
        int given = 0;
        long first = nextOffset;
        long deadlineMs = nowMs + group.config().ackTimeoutMs();
        for (MessageRun run : log.readRuns(partition, nextOffset, (int) limit)) {
            if (run.firstOffset() != nextOffset || run.count() > limit - given) {
                throw new IllegalStateException("LogView of partition " + partition + " returned offsets "
                        + run.firstOffset() + ".." + (run.nextOffset() - 1) + " after " + given + " of at most "
                        + limit + ", expected from " + nextOffset + ": offsets must be dense and in order");
            }
            // DELIVERED slots as one fresh run: no object per offset unless something other than
            // an in-order ack of the run touches one (SlotTable#materialize).
            slots.addFresh(nextOffset, run.count(), leaseEpoch, deadlineMs);
            nextOffset += run.count();
            out.add(partition, leaseEpoch, 1, run);
            given += run.count();
        }
        if (given > 0) {
            // First deliveries below the durable horizon may be answered ahead of their records.
            long ahead = Math.min(Math.max(first, horizonDurable), nextOffset);
            if (ahead > first) {
                recordRuns(first, ahead - 1, (f, l) -> fx.recordAhead(deliveredRecord(f, l)));
            }
            if (nextOffset > ahead) {
                recordRuns(ahead, nextOffset - 1, (f, l) -> fx.record(deliveredRecord(f, l)));
            }
            extendHorizon(fx);
        }
        return given;
    }

    /**
     * Records a new horizon once the next offset is within half a step of the last one, so the new
     * record is usually durable before deliveries reach the old one. Never beyond the delivery
     * window: replay must be able to fill everything below it in.
     */
    private void extendHorizon(Effects fx) {
        GroupConfig config = group.config();
        if (!config.deliveryHorizonOn() || nextOffset + config.deliveryHorizonMessages() / 2 < horizon) {
            return;
        }
        long to = Math.min(nextOffset + config.deliveryHorizonMessages(), ackFloor + config.deliveryWindowMax());
        if (to > horizon) {
            horizon = to;
            GroupRecord.DeliveryHorizon h = new GroupRecord.DeliveryHorizon(partition, to);
            if (horizonsPending.size() == HORIZONS_PENDING_MAX) {
                horizonsPending.pollFirst(); // a shell that never reports: stay bounded, cover less
            }
            horizonsPending.addLast(h);
            fx.recordAhead(h);
        }
    }

    /** See {@link GroupState#retractHorizons}: nothing is covered from now on. */
    void retractHorizon(Effects fx) {
        if (horizon > nextOffset) {
            horizon = nextOffset;
            horizonDurable = Math.min(horizonDurable, nextOffset);
            horizonsPending.clear();
            fx.record(new GroupRecord.DeliveryHorizon(partition, nextOffset));
        }
    }

    /** The shell reports {@code h} durable: first deliveries below it need not wait for their records. */
    void persisted(GroupRecord.DeliveryHorizon h) {
        // By identity, not equals: a horizon recorded before a reset may equal one recorded after it.
        boolean pending = false;
        for (GroupRecord.DeliveryHorizon p : horizonsPending) {
            pending |= p == h;
        }
        if (!pending) {
            return; // recorded before a reset, or already reported
        }
        while (!horizonsPending.isEmpty()) {
            GroupRecord.DeliveryHorizon done = horizonsPending.pollFirst();
            horizonDurable = Math.max(horizonDurable, done.offset());
            if (done == h) {
                break;
            }
        }
    }

    private void hand(DeliverySlot s, long nowMs) {
        s.leaseEpoch = leaseEpoch;
        s.ackDeadlineMs = nowMs + group.config().ackTimeoutMs();
    }

    /** First deliveries of offsets {@code first..last}: one record for the run. */
    private GroupRecord deliveredRecord(long first, long last) {
        return first == last ? new Delivered(partition, first, 1) : new GroupRecord.DeliveredRange(partition, first, last, 1);
    }

    /**
     * Acks offsets {@code first..last} in order by the current holder under {@code epoch} (already
     * checked against the lease): one result per offset into {@code out} (NONE when settled now or
     * already; OFFSET_OUT_OF_RANGE when never delivered; STALE_LEASE when delivered under another
     * lease or withdrawn for dead-lettering), and one settlement record per run of offsets settled
     * now ({@link SettledRange} for two or more: a batch acked in order is one record and no
     * per-offset object).
     */
    void ackRange(long first, long last, long epoch, Effects fx, AckResultRanges.Builder out) {
        if (first == ackFloor && settled.isEmpty() && slots.takeFresh(first, last, epoch)) {
            // The common case: a batch acked in order, all still fresh. The floor moves over it.
            ackFloor = last + 1;
            recordRuns(first, last, (f, l) -> fx.record(ackedRecord(f, l)));
            out.addRange(partition, first, last, ErrorCode.NONE);
            return;
        }
        long run = -1; // first offset of the run being settled now, or -1
        for (long i = 0, n = last - first; i <= n; i++) { // not o <= last: last may be Long.MAX_VALUE
            long o = first + i;
            ErrorCode code = ErrorCode.NONE;
            boolean settledNow = false;
            if (!isSettled(o)) {
                DeliverySlot s = slots.get(o);
                if (s == null) {
                    code = ErrorCode.OFFSET_OUT_OF_RANGE;
                } else if (s.state() == SlotState.DEAD_LETTER_PENDING || s.leaseEpoch != epoch) {
                    // Delivered under an earlier lease and not yet redelivered under this one, or
                    // withdrawn for dead-lettering: the delivery being acked is no longer valid.
                    code = ErrorCode.STALE_LEASE;
                } else {
                    s.moveTo(SlotState.ACKED);
                    slots.remove(o);
                    markSettled(o, SettleReason.ACKED);
                    settledNow = true;
                }
            }
            if (settledNow && run < 0) {
                run = o;
            } else if (!settledNow && run >= 0) {
                recordRuns(run, o - 1, (f, l) -> fx.record(ackedRecord(f, l)));
                run = -1;
            }
            out.add(partition, o, code);
        }
        if (run >= 0) {
            recordRuns(run, last, (f, l) -> fx.record(ackedRecord(f, l)));
        }
    }

    private GroupRecord ackedRecord(long first, long last) {
        return first == last ? new Settled(partition, first, SettleReason.ACKED)
                : new SettledRange(partition, first, last, SettleReason.ACKED);
    }

    /** Takes one run of offsets, {@code first..last} inclusive. */
    @FunctionalInterface
    interface RunSink {
        void run(long first, long last);
    }

    /**
     * Offsets {@code first..last} cut into runs of at most {@link GroupRecord#RANGE_OFFSETS_MAX} (what
     * one range record may cover), in order; one run in practice, as polls and acks are far smaller.
     */
    static void recordRuns(long first, long last, RunSink sink) {
        long from = first;
        while (last - from >= GroupRecord.RANGE_OFFSETS_MAX) {
            sink.run(from, from + GroupRecord.RANGE_OFFSETS_MAX - 1);
            from += GroupRecord.RANGE_OFFSETS_MAX;
        }
        sink.run(from, last);
    }

    /** Nack by the current holder under {@code epoch}: redeliver after a backoff, or dead-letter. */
    ErrorCode nack(long offset, long epoch, String errorText, long nowMs, Effects fx) {
        if (isSettled(offset)) {
            return ErrorCode.NONE;
        }
        DeliverySlot s = slots.get(offset);
        if (s == null) {
            return offset < 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.OFFSET_OUT_OF_RANGE;
        }
        if (s.state() == SlotState.DEAD_LETTER_PENDING || s.leaseEpoch != epoch) {
            return ErrorCode.STALE_LEASE;
        }
        // Already due (timed out): it will be redelivered anyway; keep the earlier due time.
        if (s.state() == SlotState.DELIVERED) {
            makeDue(s, nowMs + group.config().nackBackoffMs(s.deliveryCount), errorText, fx);
        }
        return ErrorCode.NONE;
    }

    /** The shell confirms the DLQ copy of {@code offset} is durable. */
    void deadLettered(long offset, Effects fx) {
        if (isSettled(offset)) {
            return;
        }
        DeliverySlot s = slots.get(offset);
        if (s == null || s.state() != SlotState.DEAD_LETTER_PENDING) {
            throw new IllegalStateException("no dead-letter request pending for " + group.name() + " partition "
                    + partition + " offset " + offset + " (slot state " + (s == null ? "none" : s.state()) + ")");
        }
        s.moveTo(SlotState.DEAD_LETTERED);
        settle(s, SettleReason.DEAD_LETTERED, fx);
    }

    private void settle(DeliverySlot s, SettleReason reason, Effects fx) {
        assert s.state().isTerminal() : "settling a slot in state " + s.state();
        slots.remove(s.offset);
        markSettled(s.offset, reason);
        fx.record(new Settled(partition, s.offset, reason));
    }

    /** Adds {@code offset} to the settled set and advances the floor over contiguous settled offsets. */
    void markSettled(long offset, SettleReason reason) {
        if (offset == ackFloor) {
            // In order (the common case): the floor moves without the offset entering the settled set.
            ackFloor++;
        } else {
            settled.put(offset, reason);
        }
        advanceFloor();
    }

    void advanceFloor() {
        while (!settled.isEmpty() && settled.firstKey() == ackFloor) {
            settled.pollFirstEntry();
            ackFloor++;
        }
    }

    /**
     * RESET_GROUP (no members, so no holder): {@code offset} becomes the floor and the next offset;
     * everything settled or in flight here is forgotten.
     */
    void reset(long offset) {
        assert holder == null : "reset of partition " + partition + " leased to " + holder;
        settled.clear();
        slots.clear();
        ackFloor = offset;
        nextOffset = offset;
        // Deliveries from the reset offset on are first deliveries again: none is covered until a
        // horizon recorded after the reset is durable.
        horizon = offset;
        horizonDurable = offset;
        horizonsPending.clear();
    }

    /** Slots waiting for their dead-letter copy: a reset must wait for them (the copier will settle them). */
    int deadLetterPending() {
        return count(SlotState.DEAD_LETTER_PENDING);
    }

    int count(SlotState state) {
        return slots.count(state);
    }

    boolean checkInvariants() {
        assert ackFloor <= nextOffset : "ackFloor " + ackFloor + " > nextOffset " + nextOffset;
        assert settled.size() + slots.size() == nextOffset - ackFloor
                : "p" + partition + ": settled " + settled.size() + " + slots " + slots.size()
                        + " != nextOffset " + nextOffset + " - ackFloor " + ackFloor;
        assert settled.isEmpty() || settled.firstKey() > ackFloor : "settled set contains the floor";
        assert settled.isEmpty() || settled.lastKey() < nextOffset : "settled beyond nextOffset";
        assert slots.isEmpty() || (slots.firstOffset() >= ackFloor && slots.lastOffset() < nextOffset)
                : "slot outside [ackFloor, nextOffset)";
        assert slots.checkInvariants();
        assert settled.isEmpty() || settled.lastKey() < slots.freshFirst() : "a fresh offset is settled";
        assert slots.freshUnder(leaseEpoch, holder != null) : "fresh offsets outside the current lease";
        for (DeliverySlot s : slots.ringSlots()) { // fresh runs have no object: iterating must not make them
            assert !settled.containsKey(s.offset) : "offset " + s.offset + " both settled and in flight";
            assert s.state() != SlotState.DELIVERED || (holder != null && s.leaseEpoch == leaseEpoch)
                    : "DELIVERED slot " + s.offset + " outside the current lease";
            assert s.releases >= 0 && s.releases <= s.deliveryCount : "slot " + s.offset + " releases out of range";
            assert s.state() != SlotState.DUE || s.attempts() < group.config().maxDeliveries()
                    : "DUE slot " + s.offset + " at its delivery limit";
        }
        return true;
    }
}
