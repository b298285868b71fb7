package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import io.semel.protocol.Ack;
import io.semel.protocol.AckItemRanges;
import io.semel.protocol.AckResultRanges;
import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupState#ack(String, AckItemRanges)} settles a range exactly as acking its offsets one
 * item at a time does: the same result per offset, the same state, the same records once coalesced,
 * and the same state after replay. Groups are built by a seeded random sequence of polls, acks,
 * nacks, joins (lease moves), ticks (ack timeouts, dead letters) and DLQ confirmations, three
 * times over per seed, so the copies are identical before the ack under test.
 */
class GroupRangeAckTest {
    private static final int PARTITIONS = 3;
    private static final GroupConfig CONFIG = GroupConfig.builder()
            .ackTimeoutMs(1_000).maxDeliveries(2).sessionTimeoutMs(60_000).sessionTimeoutMinMs(1_000)
            .sessionTimeoutMaxMs(60_000).nackBackoffMs(50).nackBackoffMaxMs(400).maxUnackedPerMember(40)
            .deliveryWindowMax(64).build();

    /** What a group's offsets were in before the ack, as the range path must tell them apart. */
    private enum Situation {
        SETTLED_NOW, ALREADY_SETTLED, NEVER_DELIVERED, OLDER_LEASE, DEAD_LETTER_PENDING, NOT_HELD, RUN_OF_SETTLED_NOW,
        BROKEN_RUN
    }

    /** A group and its log after the seeded command sequence, and what the sequence saw. */
    private static final class Built {
        final Shell shell = new Shell(CONFIG, "orders", PARTITIONS);
        final TestLog log = new TestLog(PARTITIONS).appendAll(20);
        final List<Delivery> seen = new ArrayList<>();
        long nowMs;

        GroupState group() {
            return shell.group;
        }
    }

    private static String pick(Random rnd, Built b) {
        List<String> ids = new ArrayList<>(b.group().memberIds());
        return ids.isEmpty() ? null : ids.get(rnd.nextInt(ids.size()));
    }

    private static Built build(long seed) {
        Random rnd = new Random(seed);
        Built b = new Built();
        b.shell.run(b.group().join("c", "orders", 0, 0));
        int steps = 10 + rnd.nextInt(40);
        for (int i = 0; i < steps; i++) {
            String m = pick(rnd, b);
            switch (rnd.nextInt(9)) {
                case 0, 1, 2 -> {
                    if (m != null) {
                        b.seen.addAll(b.shell.run(b.group().poll(m, 1 + rnd.nextInt(8), b.nowMs, b.log)).reply());
                    }
                }
                case 3 -> { // an ack of something seen, by whoever holds its partition now (maybe stale)
                    if (!b.seen.isEmpty()) {
                        Delivery d = b.seen.get(rnd.nextInt(b.seen.size()));
                        b.group().leaseHolder(d.partition()).ifPresent(h -> b.shell.run(b.group().ack(h,
                                List.of(new AckItem(d.partition(), d.leaseEpoch(), d.offset())))));
                    }
                }
                case 4 -> {
                    if (!b.seen.isEmpty()) {
                        Delivery d = b.seen.get(rnd.nextInt(b.seen.size()));
                        b.group().leaseHolder(d.partition()).ifPresent(h -> b.shell.run(b.group().nack(h,
                                List.of(new NackItem(d.partition(), d.leaseEpoch(), d.offset(), "e")), b.nowMs)));
                    }
                }
                case 5 -> {
                    if (b.group().memberIds().size() < 3) {
                        b.shell.run(b.group().join("c", "orders", 0, b.nowMs)); // leases move: older epochs
                    }
                }
                case 6 -> {
                    b.nowMs += rnd.nextInt(1_500);
                    b.shell.run(b.group().tick(b.nowMs)); // ack timeouts: redeliveries, dead letters
                }
                case 7 -> {
                    if (!b.shell.deadLetterRequests.isEmpty()) {
                        DeadLetterRequest r = b.shell.deadLetterRequests.remove(0);
                        b.shell.run(b.group().deadLettered(r.partition(), r.offset()));
                    }
                }
                default -> b.log.append(rnd.nextInt(PARTITIONS), 1 + rnd.nextInt(5));
            }
        }
        return b;
    }

    /** The ack under test: per partition, a range from around the floor to past the next offset. */
    private static AckItemRanges request(Random rnd, GroupState g, String m) {
        AckItemRanges.Builder items = AckItemRanges.builder();
        for (int p = 0; p < PARTITIONS; p++) {
            if (rnd.nextInt(4) == 0) {
                continue;
            }
            long from = Math.max(0, g.ackFloor(p) - rnd.nextInt(4));
            long to = Math.max(from, g.nextOffset(p) - 1 + rnd.nextInt(3));
            long epoch = g.leaseEpoch(p) - (rnd.nextInt(8) == 0 && g.leaseEpoch(p) > 0 ? 1 : 0);
            items.addRange(p, epoch, from, to);
            if (rnd.nextInt(4) == 0) {
                items.add(p, epoch, from); // again: already settled by then, or still what it was
            }
        }
        if (items.size() == 0) {
            items.add(0, g.leaseEpoch(0), g.ackFloor(0));
        }
        return items.build();
    }

    /** Everything the ack may change, and what replay and compaction start from. */
    private static List<Object> state(GroupState g) {
        List<Object> out = new ArrayList<>();
        out.add(g.memberIds());
        for (int p = 0; p < PARTITIONS; p++) {
            out.add(List.of(p, g.leaseHolder(p), g.leaseEpoch(p), g.ackFloor(p), g.settledAboveFloor(p),
                    g.inFlight(p), g.nextOffset(p)));
            List<Object> slots = new ArrayList<>();
            for (long o = 0; o < g.nextOffset(p) + 2; o++) {
                slots.add(g.slotState(p, o));
            }
            out.add(slots);
        }
        for (String m : g.memberIds()) {
            out.add(m + ":" + g.unacked(m));
        }
        out.add(g.pendingDeadLetters());
        out.add(g.snapshotRecords());
        return out;
    }

    private static boolean settled(GroupState g, int p, long o) {
        return o < g.ackFloor(p) || g.settledAboveFloor(p).contains(o);
    }

    @Test
    void aRangeAckIsItsOffsetsAckedOneByOne() throws CorruptGroupRecordException {
        Set<Situation> covered = EnumSet.noneOf(Situation.class);
        for (long seed = 1; seed <= 300; seed++) {
            Built one = build(seed);
            Built ranged = build(seed);
            Built listed = build(seed);
            assertThat(state(ranged.group())).as("seed %d: identical before the ack", seed)
                    .isEqualTo(state(one.group())).isEqualTo(state(listed.group()));
            Random rnd = new Random(~seed);
            String m = pick(rnd, one);
            if (m == null) {
                continue;
            }
            AckItemRanges items = request(rnd, one.group(), m);
            List<GroupRecord> before = ranged.shell.decodedRecords();

            // One item per request.
            List<Ack.Result> expected = new ArrayList<>();
            List<GroupRecord> oneRecords = new ArrayList<>();
            for (Ack.Item i : items) {
                GroupState g = one.group();
                boolean held = m.equals(g.leaseHolder(i.partition()).orElse(null))
                        && g.leaseEpoch(i.partition()) == i.leaseEpoch();
                boolean wasSettled = settled(g, i.partition(), i.offset());
                boolean pending = g.slotState(i.partition(), i.offset()).orElse(null)
                        == SlotState.DEAD_LETTER_PENDING;
                Decision<List<ErrorCode>> d = one.shell.run(g.ack(m,
                        List.of(new AckItem(i.partition(), i.leaseEpoch(), i.offset()))));
                assertThat(d.isOk()).as(d.errorMessage()).isTrue();
                ErrorCode code = d.reply().get(0);
                expected.add(new Ack.Result(i.partition(), i.offset(), code));
                oneRecords.addAll(d.records());
                covered.add(!held ? Situation.NOT_HELD : wasSettled ? Situation.ALREADY_SETTLED
                        : pending ? Situation.DEAD_LETTER_PENDING
                        : code == ErrorCode.OFFSET_OUT_OF_RANGE ? Situation.NEVER_DELIVERED
                        : code == ErrorCode.STALE_LEASE ? Situation.OLDER_LEASE : Situation.SETTLED_NOW);
                if (held && pending) {
                    assertThat(code).isEqualTo(ErrorCode.STALE_LEASE);
                }
            }

            // All of it as ranges, in one request.
            Decision<AckResultRanges> r = ranged.shell.run(ranged.group().ack(m, items));
            assertThat(r.isOk()).as(r.errorMessage()).isTrue();
            assertThat(r.reply()).as("seed %d: results of %s", seed, items).isEqualTo(expected);
            assertThat(state(ranged.group())).as("seed %d: state after the ack", seed)
                    .isEqualTo(state(one.group()));
            assertThat(r.records()).as("seed %d: the same settlements", seed)
                    .isEqualTo(GroupRecords.coalesced(oneRecords));
            assertThat(GroupRecords.coalesced(r.records())).isEqualTo(GroupRecords.coalesced(oneRecords));
            for (GroupRecord rec : r.records()) {
                assertThat(rec).isInstanceOfAny(Settled.class, SettledRange.class);
                if (rec instanceof SettledRange) {
                    covered.add(Situation.RUN_OF_SETTLED_NOW);
                }
            }
            if (r.records().size() > 1) {
                covered.add(Situation.BROKEN_RUN);
            }

            // All of it as a list of items, in one request: the same path.
            Decision<List<ErrorCode>> l = listed.shell.run(listed.group().ack(m, items.stream()
                    .map(i -> new AckItem(i.partition(), i.leaseEpoch(), i.offset())).toList()));
            assertThat(l.reply()).isEqualTo(expected.stream().map(Ack.Result::error).toList());
            assertThat(l.records()).isEqualTo(r.records());
            assertThat(state(listed.group())).isEqualTo(state(ranged.group()));

            // Replay of the records as decided (not coalesced by a shell) and as persisted.
            List<GroupRecord> withOne = new ArrayList<>(before);
            withOne.addAll(oneRecords);
            List<GroupRecord> withRanges = new ArrayList<>(before);
            withRanges.addAll(r.records());
            GroupState.DurableEnds ends = (topic, partition) -> one.log.logEndOffset(partition);
            assertThat(state(GroupState.replay(CONFIG, withRanges, ends))).as("seed %d: replayed", seed)
                    .isEqualTo(state(GroupState.replay(CONFIG, withOne, ends)));
            one.shell.restart();
            ranged.shell.restart();
            assertThat(state(ranged.group())).as("seed %d: restarted", seed).isEqualTo(state(one.group()));
        }
        assertThat(covered).as("situations the seeds reached").containsExactlyInAnyOrder(Situation.values());
    }

    @Test
    void aBatchAckedInOrderIsOneSettledRangeAndOneResultRange() {
        Shell shell = new Shell(CONFIG, "orders", 1);
        TestLog log = new TestLog(1).append(0, 30);
        String m = shell.run(shell.group.join("c", "orders", 0, 0)).reply().memberId();
        List<Delivery> got = shell.run(shell.group.poll(m, 30, 0, log)).reply();
        long epoch = got.get(0).leaseEpoch();
        shell.run(shell.group.ack(m, List.of(new AckItem(0, epoch, 12)))); // settled ahead of the rest

        Decision<AckResultRanges> d = shell.run(shell.group.ack(m,
                AckItemRanges.builder().addRange(0, epoch, 0, 34).build()));

        assertThat(d.records()).containsExactly(new SettledRange(0, 0, 11, GroupRecord.SettleReason.ACKED),
                new SettledRange(0, 13, 29, GroupRecord.SettleReason.ACKED));
        AckResultRanges res = d.reply();
        assertThat(res.rangeCount()).as("0..29 NONE (12 already), 30..34 never delivered").isEqualTo(2);
        assertThat(res.lastOffset(0)).isEqualTo(29);
        assertThat(res.error(1)).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(shell.group.ackFloor(0)).isEqualTo(30);
        assertThat(shell.group.inFlight(0)).isEmpty();
        assertThat(new TreeSet<>(shell.group.settledAboveFloor(0))).isEmpty();
    }
}
