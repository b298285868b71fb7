package io.semel.broker.group;

import io.semel.broker.group.GroupRecord.GroupCreated;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.MemberIdIssued;
import io.semel.protocol.AckItemRanges;
import io.semel.protocol.AckResultRanges;
import io.semel.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decision core of one consumer group: members, partition leases, deliveries, acks, redelivery and
 * dead letters. No I/O, no threads, no clock: time comes in as {@code nowMs}, messages through
 * {@link LogView}. Every command changes the in-memory state and returns a {@link Decision} whose
 * records the shell must persist before it replies (see {@link Decision} for the exact contract).
 * Same inputs, same outputs: the core is deterministic.
 *
 * <p><b>Not thread-safe.</b> Owned by one coordinator thread, which runs every command in order.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Each partition is leased to at most one member; its lease epoch grows by one on every grant
 *       and is persisted ({@link LeaseGranted}), so it keeps growing across restarts.
 *   <li>An ack or nack settles or reschedules only a delivery made under the partition's current
 *       lease, by that lease's holder; anything else is {@link ErrorCode#STALE_LEASE} and changes
 *       nothing.
 *   <li>An offset is settled at most once, by ack or by a confirmed dead-letter copy.
 *   <li>Every delivery is recorded ({@code Delivered}) before it is replied, or is a first delivery
 *       below a durable {@link GroupRecord.DeliveryHorizon}, which replay counts as delivered if its
 *       record was lost. So the delivery count of an offset never goes down, also across restarts:
 *       a message redelivered after a restart carries a count of at least 2.
 *   <li>A member holds at most {@link GroupConfig#maxUnackedPerMember} unacked deliveries.
 *   <li>A message is delivered at most {@link GroupConfig#maxDeliveries} times; the next attempt
 *       becomes a {@link DeadLetterRequest}.
 * </ul>
 *
 * <p>Members and lease holders are not persisted: after {@link #replay} the group has no members,
 * in-flight deliveries are due at once with their recorded counts, and clients rejoin.
 * Members expire only on {@link #tick} (the shell ticks often, say every 100 ms); until then a
 * member past its session timeout is still served.
 */
public final class GroupState {
    /** DLQ error when the last delivery was never acked. */
    public static final String ERROR_ACK_TIMEOUT = "ack-timeout";
    /** DLQ error when the last delivery's lease moved to another member (or none). */
    public static final String ERROR_LEASE_REVOKED = "lease-revoked";
    /** DLQ error when the last delivery was made before a broker restart. */
    public static final String ERROR_BROKER_RESTART = "broker-restart";


    private final String name;
    private final String topic;
    private final GroupConfig config;
    /** Grows with {@link #addPartitions}; never shrinks. */
    private PartitionProgress[] partitions;
    private final TreeMap<String, Member> members = new TreeMap<>();
    private long memberIdSequence;
    /** Records made outside a command (the GroupCreated of a new group), drained by the next decision. */
    private final List<GroupRecord> unpersisted = new ArrayList<>();

    GroupState(String name, String topic, int partitionCount, GroupConfig config) {
        this.name = name;
        this.topic = topic;
        this.config = Objects.requireNonNull(config, "config");
        this.partitions = new PartitionProgress[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            partitions[p] = new PartitionProgress(this, p);
        }
    }

    /**
     * A new, empty group. Its {@link GroupCreated} record comes with the first successful decision.
     *
     * @throws IllegalArgumentException for an invalid group or topic name or partition count
     */
    public static GroupState create(String name, String topic, int partitionCount, GroupConfig config) {
        GroupCreated created = new GroupCreated(name, topic, partitionCount);
        GroupState g = new GroupState(name, topic, partitionCount, config);
        g.unpersisted.add(created);
        return g;
    }

    /**
     * Rebuilds a group from its records, in the order they were persisted (possibly starting with a
     * {@link #snapshotRecords()} snapshot). Afterwards: no members, no lease holders, lease epochs
     * as persisted, in-flight deliveries due at once (or pending dead-lettering if they reached
     * maxDeliveries; issue {@link #pendingDeadLetters()} after replay). Offsets below a partition's
     * delivery horizon and its durable end ({@code ends}) without a record count one delivery.
     */
    public static GroupState replay(GroupConfig config, List<GroupRecord> records, DurableEnds ends)
            throws CorruptGroupRecordException {
        return GroupReplay.replay(config, records, ends);
    }

    /**
     * The durable end of each partition of the group's topic, which bounds what replay counts as
     * delivered below a {@link GroupRecord.DeliveryHorizon}: nothing at or above it was ever handed out.
     */
    @FunctionalInterface
    public interface DurableEnds {
        /** The durable end offset of {@code partition} of {@code topic}; 0 when it is unknown or gone. */
        long durableEnd(String topic, int partition);
    }

    /**
     * Clean shutdown, once no more polls are taken: every partition's horizon comes back to its next
     * offset, so the next start assumes no delivery the group did not record. (Without it a clean
     * restart would count up to deliveryHorizonMessages undelivered offsets per partition as
     * delivered once, as a crash does.) Persist it before closing the group log.
     */
    public Decision<Void> retractHorizons() {
        Effects fx = effects();
        for (PartitionProgress pp : partitions) {
            pp.retractHorizon(fx);
        }
        return done(null, fx);
    }

    /**
     * The shell reports that {@code d}'s records are durable (and so every earlier decision's):
     * first deliveries below the horizons in it may from now on be answered ahead of their records.
     */
    public void persisted(Decision<?> d) {
        for (GroupRecord r : d.records()) {
            if (r instanceof GroupRecord.DeliveryHorizon h && h.partition() < partitions.length) {
                partitions[h.partition()].persisted(h);
            }
        }
    }

    // ---- membership ---------------------------------------------------------------------------

    /**
     * Adds a member. Its id is {@code <clientId>-<n>}, with n unique within the group forever
     * (persisted). Leases are rebalanced; the reply lists the partitions it now holds.
     *
     * @param sessionTimeoutMs 0 for {@link GroupConfig#sessionTimeoutMs}, else within the configured bounds
     */
    public Decision<MemberView> join(String clientId, String topic, long sessionTimeoutMs, long nowMs) {
        String problem = GroupNames.problem(clientId);
        if (problem != null) {
            return refused(ErrorCode.INVALID_REQUEST, "client id '" + clientId + "' " + problem);
        }
        if (!this.topic.equals(topic)) {
            return refused(ErrorCode.INVALID_REQUEST, "group '" + name + "' consumes topic '" + this.topic
                    + "', not '" + topic + "'; use another group name for another topic");
        }
        long timeoutMs = sessionTimeoutMs == 0 ? config.sessionTimeoutMs() : sessionTimeoutMs;
        if (timeoutMs < config.sessionTimeoutMinMs() || timeoutMs > config.sessionTimeoutMaxMs()) {
            return refused(ErrorCode.INVALID_REQUEST, "session timeout " + timeoutMs + " ms outside ["
                    + config.sessionTimeoutMinMs() + ", " + config.sessionTimeoutMaxMs() + "] ms");
        }
        if (members.size() >= config.membersMax()) {
            return refused(ErrorCode.INVALID_REQUEST, "group '" + name + "' has " + members.size()
                    + " members, the limit membersMax; retry when a member leaves or raise the limit");
        }
        Effects fx = effects();
        memberIdSequence++;
        fx.record(new MemberIdIssued(memberIdSequence));
        Member m = new Member(clientId + "-" + memberIdSequence, timeoutMs, nowMs);
        members.put(m.id, m);
        rebalance(nowMs, fx);
        return done(view(m), fx);
    }

    /** Keeps a member alive and tells it its current leases. */
    public Decision<MemberView> heartbeat(String memberId, long nowMs) {
        Member m = members.get(memberId);
        if (m == null) {
            return unknownMember(memberId, null);
        }
        m.lastSeenMs = nowMs;
        return done(view(m), effects());
    }

    /**
     * Removes a member that leaves cleanly; its leases move and its unacked deliveries are released:
     * due at once for the new holders, without counting as a delivery attempt (see {@link SlotState}).
     */
    public Decision<Void> leave(String memberId, long nowMs) {
        if (members.remove(memberId) == null) {
            return unknownMember(memberId, null);
        }
        Effects fx = effects();
        for (PartitionProgress pp : partitions) {
            if (memberId.equals(pp.holder)) {
                pp.release(nowMs, fx);
            }
        }
        rebalance(nowMs, fx);
        return done(null, fx);
    }

    /**
     * Time passes: expires members silent for longer than their session timeout (moving their
     * leases), and makes deliveries past their ack deadline due (or dead-letter requests).
     * Reply: ids of the members expired.
     */
    public Decision<List<String>> tick(long nowMs) {
        Effects fx = effects();
        List<String> expired = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.expiredAt(nowMs)) {
                expired.add(m.id);
            }
        }
        if (!expired.isEmpty()) {
            expired.forEach(members::remove);
            rebalance(nowMs, fx);
        }
        for (PartitionProgress pp : partitions) {
            pp.expireDeliveries(nowMs, fx);
        }
        return done(List.copyOf(expired), fx);
    }

    private void rebalance(long nowMs, Effects fx) {
        String[] current = new String[partitions.length];
        for (PartitionProgress pp : partitions) {
            current[pp.partition] = pp.holder;
        }
        String[] next = LeaseAssigner.assign(new ArrayList<>(members.keySet()), current);
        for (PartitionProgress pp : partitions) {
            String to = next[pp.partition];
            if (Objects.equals(pp.holder, to)) {
                continue;
            }
            if (pp.holder != null) {
                pp.revoke(nowMs, fx);
            }
            if (to != null) {
                pp.holder = to;
                pp.leaseEpoch++;
                fx.record(new LeaseGranted(pp.partition, pp.leaseEpoch));
            }
        }
    }

    // ---- deliveries ---------------------------------------------------------------------------

    /**
     * Hands the member up to {@code maxMessages} messages from the partitions it holds: per
     * partition, due redeliveries first (lowest offset first), then new offsets. The starting
     * partition rotates from poll to poll. A member at {@link GroupConfig#maxUnackedPerMember} gets
     * nothing. Counts as a heartbeat.
     */
    public Decision<Deliveries> poll(String memberId, int maxMessages, long nowMs, LogView log) {
        Member m = members.get(memberId);
        if (m == null) {
            return unknownMember(memberId, Deliveries.empty());
        }
        String tooMany = config.pollSizeRefusal(maxMessages);
        if (tooMany != null) {
            return refused(ErrorCode.INVALID_REQUEST, tooMany);
        }
        m.lastSeenMs = nowMs;
        List<PartitionProgress> held = held(m.id);
        int unacked = 0;
        for (PartitionProgress pp : held) {
            unacked += pp.unacked();
        }
        int budget = Math.min(maxMessages, config.maxUnackedPerMember() - unacked);
        // Per partition: the new offsets' records (two when they straddle the durable horizon) and
        // a new horizon; redeliveries add one record each.
        Effects fx = effects(3 * held.size());
        Deliveries.Builder out = new Deliveries.Builder(2 * held.size());
        if (budget > 0 && !held.isEmpty()) {
            int start = Math.floorMod(m.pollRotation++, held.size());
            for (int i = 0; i < held.size() && budget > 0; i++) {
                budget -= held.get((start + i) % held.size()).deliver(budget, nowMs, log, out, fx);
            }
        }
        return done(out.build(), fx);
    }

    /**
     * What a poll of {@code memberId} that found nothing must wait for before it can find something,
     * besides a command on this group (an ack, a leave, a join, a tick): for each held partition
     * whose delivery window is open, the offset whose durability makes a new message deliverable
     * ({@link PollWait#durableOffsets}); and the earliest time a waiting redelivery becomes due
     * ({@link PollWait#dueAtMs}, {@link Long#MAX_VALUE} for none). A member at its unacked limit
     * waits for acks only. Reads nothing, changes nothing.
     */
    public PollWait pollWait(String memberId) {
        Member m = members.get(memberId);
        if (m == null) {
            return PollWait.NOTHING;
        }
        List<PartitionProgress> held = held(memberId);
        int unacked = 0;
        for (PartitionProgress pp : held) {
            unacked += pp.unacked();
        }
        if (unacked >= config.maxUnackedPerMember()) {
            return PollWait.NOTHING;
        }
        Map<Integer, Long> durable = new TreeMap<>();
        long dueAtMs = Long.MAX_VALUE;
        for (PartitionProgress pp : held) {
            if (pp.nextOffset < pp.ackFloor + config.deliveryWindowMax()) {
                durable.put(pp.partition, pp.nextOffset);
            }
            if (pp.count(SlotState.DUE) == 0) {
                continue; // the common case: no scan
            }
            for (DeliverySlot s : pp.slots.inState(SlotState.DUE)) {
                dueAtMs = Math.min(dueAtMs, s.dueAtMs);
            }
        }
        return new PollWait(Collections.unmodifiableMap(durable), dueAtMs);
    }

    /** See {@link #pollWait}. */
    public record PollWait(Map<Integer, Long> durableOffsets, long dueAtMs) {
        static final PollWait NOTHING = new PollWait(Map.of(), Long.MAX_VALUE);
    }

    /**
     * Settles deliveries. Reply: one code per item, in order: NONE (settled now or already),
     * UNKNOWN_TOPIC_OR_PARTITION, STALE_LEASE (member does not hold the partition under exactly that
     * epoch, or the delivery was made under another lease or withdrawn for dead-lettering),
     * OFFSET_OUT_OF_RANGE (never delivered). Refused whole: UNKNOWN_GROUP_MEMBER, or INVALID_REQUEST
     * over {@link GroupConfig#acksPerRequestMax}.
     */
    public Decision<List<ErrorCode>> ack(String memberId, List<AckItem> items) {
        String problem = batchProblem(memberId, items.size());
        if (problem != null) {
            return refusedItems(memberId, items.size(), problem);
        }
        Effects fx = effects();
        AckResultRanges.Builder out = AckResultRanges.builder();
        for (int i = 0; i < items.size(); ) {
            AckItem first = items.get(i);
            int end = i + 1; // a run: one partition and epoch, offsets one apart
            while (end < items.size() && items.get(end).partition() == first.partition()
                    && items.get(end).leaseEpoch() == first.leaseEpoch() && items.get(end).offset() > first.offset()
                    && items.get(end).offset() - first.offset() == end - i) { // not first + n: it may overflow
                end++;
            }
            ackRun(memberId, first.partition(), first.leaseEpoch(), first.offset(), first.offset() + (end - i - 1),
                    fx, out);
            i = end;
        }
        AckResultRanges results = out.build();
        List<ErrorCode> codes = new ArrayList<>(items.size());
        for (int r = 0; r < results.rangeCount(); r++) {
            codes.addAll(Collections.nCopies(results.count(r), results.error(r)));
        }
        return done(Collections.unmodifiableList(codes), fx);
    }

    /**
     * {@link #ack(String, List)} of items held as ranges, answered as ranges: a batch acked in order
     * is one range in, one settlement record and one result range out, with no object per offset.
     */
    public Decision<AckResultRanges> ack(String memberId, AckItemRanges items) {
        String problem = batchProblem(memberId, items.size());
        if (problem != null) {
            if (!members.containsKey(memberId)) {
                AckResultRanges.Builder gone = AckResultRanges.builder();
                for (int r = 0; r < items.rangeCount(); r++) {
                    gone.addRange(items.partition(r), items.firstOffset(r), items.lastOffset(r),
                            ErrorCode.UNKNOWN_GROUP_MEMBER);
                }
                return unknownMember(memberId, gone.build());
            }
            return refused(ErrorCode.INVALID_REQUEST, problem);
        }
        Effects fx = effects();
        AckResultRanges.Builder out = AckResultRanges.builder();
        for (int r = 0; r < items.rangeCount(); r++) {
            ackRun(memberId, items.partition(r), items.leaseEpoch(r), items.firstOffset(r), items.lastOffset(r), fx, out);
        }
        return done(out.build(), fx);
    }

    private void ackRun(String memberId, int partition, long leaseEpoch, long first, long last, Effects fx,
            AckResultRanges.Builder out) {
        ErrorCode check = settleCheck(memberId, partition, leaseEpoch);
        if (check != ErrorCode.NONE) {
            out.addRange(partition, first, last, check);
        } else {
            partitions[partition].ackRange(first, last, leaseEpoch, fx, out);
        }
    }

    /**
     * Reports failed deliveries: each is redelivered after {@link GroupConfig#nackBackoffMs(int)},
     * or dead-lettered if it was delivered maxDeliveries times. Reply: one code per item.
     */
    public Decision<List<ErrorCode>> nack(String memberId, List<NackItem> items, long nowMs) {
        String problem = batchProblem(memberId, items.size());
        if (problem != null) {
            return refusedItems(memberId, items.size(), problem);
        }
        Effects fx = effects();
        List<ErrorCode> codes = new ArrayList<>(items.size());
        for (NackItem item : items) {
            ErrorCode check = settleCheck(memberId, item.partition(), item.leaseEpoch());
            if (check == ErrorCode.NONE
                    && item.errorText().getBytes(StandardCharsets.UTF_8).length > config.nackErrorBytesMax()) {
                check = ErrorCode.INVALID_REQUEST;
            }
            codes.add(check != ErrorCode.NONE ? check
                    : partitions[item.partition()].nack(item.offset(), item.leaseEpoch(), item.errorText(), nowMs, fx));
        }
        return done(Collections.unmodifiableList(codes), fx);
    }

    /**
     * The shell confirms that the dead-letter copy of {@code (partition, offset)} is durable: the
     * offset is settled. Idempotent for an already settled offset.
     *
     * @throws IllegalArgumentException for a partition out of range
     * @throws IllegalStateException if no dead-letter request is pending for that offset
     */
    public Decision<Void> deadLettered(int partition, long offset) {
        Effects fx = effects();
        progress(partition).deadLettered(offset, fx);
        return done(null, fx);
    }

    /** Dead-letter requests not yet confirmed; the shell issues these after {@link #replay}. */
    public List<DeadLetterRequest> pendingDeadLetters() {
        List<DeadLetterRequest> out = new ArrayList<>();
        for (PartitionProgress pp : partitions) {
            if (pp.deadLetterPending() == 0) {
                continue;
            }
            for (DeliverySlot s : pp.slots.inState(SlotState.DEAD_LETTER_PENDING)) {
                out.add(pp.deadLetterRequest(s));
            }
        }
        return out;
    }

    /**
     * A minimal record sequence that {@link #replay} turns into this group's durable state (for
     * compaction). Call only between decisions whose records are all durable.
     */
    public List<GroupRecord> snapshotRecords() {
        return GroupReplay.snapshot(this);
    }

    // ---- administration -----------------------------------------------------------------------

    /**
     * The topic grew to {@code partitionCount} partitions: the new ones start at offset 0 and are
     * leased at once to the members (rebalance). Idempotent: no records when the group already has
     * that many.
     */
    public Decision<Void> addPartitions(int partitionCount, long nowMs) {
        if (partitionCount > io.semel.protocol.Protocol.MAX_PARTITIONS_PER_TOPIC) {
            return refused(ErrorCode.INVALID_REQUEST, "partition count " + partitionCount + " exceeds "
                    + io.semel.protocol.Protocol.MAX_PARTITIONS_PER_TOPIC);
        }
        Effects fx = effects();
        if (partitionCount > partitions.length) {
            growTo(partitionCount);
            fx.record(new GroupRecord.PartitionsAdded(partitionCount));
            rebalance(nowMs, fx);
        }
        return done(null, fx);
    }

    void growTo(int partitionCount) {
        PartitionProgress[] grown = java.util.Arrays.copyOf(partitions, partitionCount);
        for (int p = partitions.length; p < partitionCount; p++) {
            grown[p] = new PartitionProgress(this, p);
        }
        partitions = grown;
    }

    /**
     * Moves the position of each partition in {@code offsets} (RESET_GROUP). Refused with
     * GROUP_NOT_EMPTY while the group has members (they would keep acking withdrawn deliveries), and
     * with INVALID_REQUEST while a dead-letter copy is still running on one of the partitions (its
     * settlement would land on the reset state). Reply: the offsets as given.
     */
    public Decision<Map<Integer, Long>> reset(Map<Integer, Long> offsets) {
        if (!members.isEmpty()) {
            return refused(ErrorCode.GROUP_NOT_EMPTY, "group '" + name + "' has " + members.size() + " members ("
                    + String.join(", ", members.keySet()) + "); stop them or wait for their sessions to expire, "
                    + "then reset");
        }
        for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
            PartitionProgress pp = progress(e.getKey());
            if (pp.deadLetterPending() > 0) {
                return refused(ErrorCode.INVALID_REQUEST, "group '" + name + "' partition " + pp.partition + " has "
                        + pp.deadLetterPending() + " dead letters being copied to " + topic + GroupNames.DLQ_SUFFIX
                        + "; retry the reset in a few seconds");
            }
        }
        Effects fx = effects();
        for (Map.Entry<Integer, Long> e : new TreeMap<>(offsets).entrySet()) {
            progress(e.getKey()).reset(e.getValue());
            fx.record(new GroupRecord.PositionReset(e.getKey(), e.getValue()));
        }
        return done(Map.copyOf(offsets), fx);
    }

    /**
     * The group is deleted with its topic, members or not: they get UNKNOWN_TOPIC_OR_PARTITION on
     * their next request. The caller removes the group from its registry once this is durable.
     */
    public Decision<Void> delete() {
        Effects fx = effects();
        fx.record(new GroupRecord.GroupDeleted());
        return Decision.ok(name, null, fx);
    }

    /** What an operator sees of one partition (DESCRIBE_GROUP). */
    public record PartitionStatus(int partition, String holder, long leaseEpoch, long ackFloor, long nextOffset,
            int settledAboveFloor, int inFlight, int due, int deadLetterPending) {
    }

    public PartitionStatus status(int partition) {
        PartitionProgress pp = progress(partition);
        return new PartitionStatus(partition, pp.holder, pp.leaseEpoch, pp.ackFloor, pp.nextOffset, pp.settled.size(),
                pp.count(SlotState.DELIVERED), pp.count(SlotState.DUE), pp.count(SlotState.DEAD_LETTER_PENDING));
    }

    /** Live members and their session timeouts, by id. */
    public SortedMap<String, Long> memberSessions() {
        SortedMap<String, Long> out = new TreeMap<>();
        members.forEach((id, m) -> out.put(id, m.sessionTimeoutMs));
        return Collections.unmodifiableSortedMap(out);
    }

    // ---- checks -------------------------------------------------------------------------------

    private String batchProblem(String memberId, int items) {
        if (!members.containsKey(memberId)) {
            return "unknown member";
        }
        if (items > config.acksPerRequestMax()) {
            return items + " items in one request, more than acksPerRequestMax " + config.acksPerRequestMax()
                    + "; split the request";
        }
        return null;
    }

    /**
     * Per-item gate for ack and nack: UNKNOWN_TOPIC_OR_PARTITION for a partition out of range,
     * STALE_LEASE unless the member holds the partition under exactly {@code leaseEpoch}. Then the
     * partition decides: NONE (settled now or already), OFFSET_OUT_OF_RANGE (never delivered),
     * STALE_LEASE (delivered under another lease, or withdrawn for dead-lettering).
     */
    private ErrorCode settleCheck(String memberId, int partition, long leaseEpoch) {
        if (partition < 0 || partition >= partitions.length) {
            return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        }
        PartitionProgress pp = partitions[partition];
        if (!memberId.equals(pp.holder) || leaseEpoch != pp.leaseEpoch) {
            return ErrorCode.STALE_LEASE;
        }
        return ErrorCode.NONE;
    }

    private Decision<List<ErrorCode>> refusedItems(String memberId, int items, String problem) {
        if (!members.containsKey(memberId)) {
            return unknownMember(memberId, Collections.nCopies(items, ErrorCode.UNKNOWN_GROUP_MEMBER));
        }
        return refused(ErrorCode.INVALID_REQUEST, problem);
    }

    private <R> Decision<R> unknownMember(String memberId, R reply) {
        return Decision.refused(name, ErrorCode.UNKNOWN_GROUP_MEMBER, "member '" + memberId
                + "' is not in group '" + name + "' (expired or never joined); join again", reply);
    }

    private <R> Decision<R> refused(ErrorCode code, String message) {
        return Decision.refused(name, code, message, null);
    }

    /** Queues a record for the next decision (replay's own decisions; see {@link #recovered()}). */
    void unpersisted(GroupRecord record) {
        unpersisted.add(record);
    }

    /**
     * The decision to take once after {@link #replay}: the records replay decided by itself (a
     * delivery in flight at the crash that had used up maxDeliveries is now a dead-letter request)
     * and every pending dead letter. Persist its records, then issue its dead letters.
     */
    public Decision<Void> recovered() {
        Effects fx = effects();
        pendingDeadLetters().forEach(fx::deadLetter);
        return done(null, fx);
    }

    private Effects effects() {
        return effects(10);
    }

    private Effects effects(int recordsExpected) {
        Effects fx = new Effects(recordsExpected + unpersisted.size());
        unpersisted.forEach(fx::record);
        unpersisted.clear();
        return fx;
    }

    private <R> Decision<R> done(R reply, Effects fx) {
        assert checkInvariants();
        return Decision.ok(name, reply, fx);
    }

    private boolean checkInvariants() {
        for (PartitionProgress pp : partitions) {
            pp.checkInvariants();
            assert pp.holder == null || members.containsKey(pp.holder) : "lease held by departed " + pp.holder;
        }
        return true;
    }

    private List<PartitionProgress> held(String memberId) {
        List<PartitionProgress> out = new ArrayList<>();
        for (PartitionProgress pp : partitions) {
            if (memberId.equals(pp.holder)) {
                out.add(pp);
            }
        }
        return out;
    }

    private MemberView view(Member m) {
        Map<Integer, Long> leases = new TreeMap<>();
        for (PartitionProgress pp : held(m.id)) {
            leases.put(pp.partition, pp.leaseEpoch);
        }
        return MemberView.of(m.id, m.sessionTimeoutMs, leases);
    }

    PartitionProgress progress(int partition) {
        if (partition < 0 || partition >= partitions.length) {
            throw new IllegalArgumentException("partition " + partition + " outside [0, " + partitions.length
                    + ") of topic '" + topic + "'");
        }
        return partitions[partition];
    }

    void setMemberIdSequence(long sequence) {
        memberIdSequence = Math.max(memberIdSequence, sequence);
    }

    long memberIdSequence() {
        return memberIdSequence;
    }

    // ---- read-only views (metrics, tests) -----------------------------------------------------

    public String name() {
        return name;
    }

    public String topic() {
        return topic;
    }

    public int partitionCount() {
        return partitions.length;
    }

    public GroupConfig config() {
        return config;
    }

    public SortedSet<String> memberIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(members.keySet()));
    }

    public long leaseEpoch(int partition) {
        return progress(partition).leaseEpoch;
    }

    public Optional<String> leaseHolder(int partition) {
        return Optional.ofNullable(progress(partition).holder);
    }

    /** Every offset below this is settled. */
    public long ackFloor(int partition) {
        return progress(partition).ackFloor;
    }

    /** Settled offsets above the ack floor. */
    public SortedSet<Long> settledAboveFloor(int partition) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(progress(partition).settled.keySet()));
    }

    /** Offsets delivered and not settled, with their delivery counts. */
    public SortedMap<Long, Integer> inFlight(int partition) {
        SortedMap<Long, Integer> out = new TreeMap<>();
        for (DeliverySlot s : progress(partition).slots) {
            out.put(s.offset, s.deliveryCount);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    public Optional<SlotState> slotState(int partition, long offset) {
        DeliverySlot s = progress(partition).slots.get(offset);
        return Optional.ofNullable(s == null ? null : s.state());
    }

    /** The lowest offset never delivered to this group. */
    public long nextOffset(int partition) {
        return progress(partition).nextOffset;
    }

    /** Deliveries the member holds unacked; 0 for an unknown member. */
    public int unacked(String memberId) {
        int n = 0;
        for (PartitionProgress pp : held(memberId)) {
            n += pp.unacked();
        }
        return n;
    }
}
