package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import io.semel.protocol.Ack;
import io.semel.protocol.AckItemRanges;
import io.semel.protocol.AckResultRanges;
import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random interleavings of joins, leaves, polls, acks (some stale; some of several deliveries in one
 * request of ranges), nacks, ticks, appends, DLQ
 * confirmations, compactions and crash-restarts (replay from the persisted records), each step an
 * integer so jqwik can shrink a failing run. Seeded: the same seed replays the same runs.
 *
 * <p>The shell answers polls ahead of the disk where the core allows it (first deliveries below a
 * durable delivery horizon), and a crash loses a suffix of those records although clients saw the
 * replies: delivery counts must still strictly increase across everything any client saw.
 */
class GroupProperties {
    private static final int PARTITIONS = 3;
    private static final GroupConfig CONFIG = GroupConfig.builder()
            .ackTimeoutMs(1_000).maxDeliveries(3).sessionTimeoutMs(4_000).sessionTimeoutMinMs(1_000)
            .nackBackoffMs(50).nackBackoffMaxMs(400).maxUnackedPerMember(4).membersMax(4)
            .deliveryWindowMax(16).build();

    @Property(tries = 400, seed = "20260601")
    void noOffsetIsSettledTwiceCountsNeverFallStaleAcksSettleNothingAndEverythingSettlesAtQuiescence(
            @ForAll @Size(min = 20, max = 200) List<@IntRange(min = 0, max = 9_999) Integer> steps) {
        Sim sim = new Sim();
        // Start from a busy group so short runs still reach acks, redeliveries and dead letters.
        sim.join();
        sim.join();
        for (int p = 0; p < PARTITIONS; p++) {
            sim.log.append(p, 3);
        }
        for (int step : steps) {
            sim.step(step);
        }
        sim.driveToQuiescence();
        // Coverage report (printed by jqwik): the interesting paths must actually be taken.
        Statistics.label("stale acks checked").collect(sim.staleChecked > 0);
        Statistics.label("range acks settling a run").collect(sim.rangeRunsSettled > 0);
        Statistics.label("range acks with a stale item").collect(sim.staleInRanges > 0);
        Statistics.label("range acks settling a run").coverage(c -> c.check(true).count(n -> n > 0));
        Statistics.label("range acks with a stale item").coverage(c -> c.check(true).count(n -> n > 0));
        Statistics.label("restarts").collect(sim.restarts > 0);
        Statistics.label("dead-lettered").collect(sim.settleReasons.contains(GroupRecord.SettleReason.DEAD_LETTERED));
        Statistics.label("redelivered after restart").collect(sim.redeliveredAfterRestart > 0);
        Statistics.label("released by a clean leave").collect(!sim.releases.isEmpty());
        Statistics.label("answered ahead of the disk").collect(sim.answeredAhead > 0);
        Statistics.label("answered ahead, lost in a crash").collect(sim.aheadLost > 0);
        Statistics.label("assumed delivered at a restart, first seen later").collect(sim.assumedThenSeen > 0);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(sim.shell.group.ackFloor(p)).as("partition %d floor", p).isEqualTo(sim.log.logEndOffset(p));
            for (long o = 0; o < sim.log.logEndOffset(p); o++) {
                assertThat(sim.settleCount.getOrDefault(key(p, o), 0)).as("settlements of %d/%d", p, o).isEqualTo(1);
            }
        }
    }

    /**
     * Mostly new messages, polls and crashes, so many polls are answered ahead of the disk and many
     * crashes lose such answers: each lost delivery must come back with a count above what was seen.
     */
    @Property(tries = 300, seed = "20261206")
    void deliveriesAnsweredAheadAndLostInACrashComeBackWithAHigherCount(
            @ForAll @Size(min = 20, max = 200) List<@IntRange(min = 0, max = 9_999) Integer> steps) {
        // A horizon step well inside the delivery window, so deliveries reach the durable horizon.
        Sim sim = new Sim(GroupConfig.builder().ackTimeoutMs(1_000).maxDeliveries(3).sessionTimeoutMs(4_000)
                .sessionTimeoutMinMs(1_000).nackBackoffMs(50).nackBackoffMaxMs(400).maxUnackedPerMember(12)
                .membersMax(4).deliveryWindowMax(64).deliveryHorizonMessages(6).build());
        sim.join();
        sim.join();
        for (int step : steps) {
            int arg = step / 5;
            switch (step % 5) {
                case 0 -> sim.log.append(arg % PARTITIONS, 1 + arg % 4);
                case 1, 2 -> sim.poll(arg, 1 + arg % 5);
                case 3 -> {
                    if (arg % 3 == 0) {
                        sim.rangeAck(arg);
                    } else {
                        sim.ackOrNack(arg, false);
                    }
                }
                default -> {
                    sim.restart(arg);
                    sim.join();
                }
            }
        }
        sim.driveToQuiescence();
        Statistics.label("answered ahead, lost in a crash").collect(sim.aheadLost > 0);
        Statistics.label("assumed delivered at a restart, first seen later").collect(sim.assumedThenSeen > 0);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(sim.shell.group.ackFloor(p)).as("partition %d floor", p).isEqualTo(sim.log.logEndOffset(p));
        }
    }

    private static long key(int partition, long offset) {
        return offset * PARTITIONS + partition;
    }

    /** Model of a shell and its clients. Everything a client saw was persisted before it saw it. */
    private static final class Sim {
        final GroupConfig config;
        final Shell shell;
        final TestLog log = new TestLog(PARTITIONS);
        final Map<String, List<Delivery>> held = new HashMap<>();
        final List<Delivery> everDelivered = new ArrayList<>();
        final Map<Long, Integer> maxCountSeen = new HashMap<>();
        final Map<Long, Integer> settleCount = new HashMap<>();
        /** Deliveries released by clean leaves, per offset: not attempts. */
        final Map<Long, Integer> releases = new HashMap<>();
        final java.util.Set<GroupRecord.SettleReason> settleReasons = java.util.EnumSet.noneOf(GroupRecord.SettleReason.class);
        final java.util.Set<Long> inFlightAtRestart = new java.util.HashSet<>();
        /** Offsets in flight after a restart that no client had seen: replay assumed one delivery. */
        final java.util.Set<Long> assumedNeverSeen = new java.util.HashSet<>();
        int staleChecked;
        int staleInRanges;
        int rangeRunsSettled;
        int answeredAhead;
        int aheadLost;
        int assumedThenSeen;
        int restarts;

        Sim() {
            this(CONFIG);
        }

        Sim(GroupConfig config) {
            this.config = config;
            this.shell = new Shell(config, "orders", PARTITIONS);
            shell.holdAhead = true;
            shell.ends = (topic, partition) -> log.logEndOffset(partition);
        }
        int redeliveredAfterRestart;
        long nowMs;

        void step(int step) {
            int arg = step / 10;
            switch (step % 10) {
                case 0 -> join();
                case 1 -> leave(arg);
                case 2 -> poll(arg, 1 + arg % 5);
                case 3 -> {
                    if (arg % 3 == 0) {
                        rangeAck(arg);
                    } else {
                        ackOrNack(arg, false);
                    }
                }
                case 4 -> staleAck(arg);
                case 5 -> ackOrNack(arg, true);
                case 6 -> tick(arg % 1_500);
                case 7 -> restart(arg);
                case 8 -> log.append(arg % PARTITIONS, 1 + arg % 4);
                default -> confirmDeadLetters(arg);
            }
        }

        <R> Decision<R> run(Decision<R> d) {
            if (d.replyBeforeDurable()) {
                answeredAhead++;
            }
            shell.run(d);
            for (GroupRecord r : d.records()) {
                if (r instanceof Settled s) {
                    long k = key(s.partition(), s.offset());
                    settleReasons.add(s.reason());
                    int n = settleCount.merge(k, 1, Integer::sum);
                    assertThat(n).as("offset %d/%d settled twice", s.partition(), s.offset()).isEqualTo(1);
                } else if (r instanceof SettledRange s) {
                    settleReasons.add(s.reason());
                    for (long o = s.firstOffset(); o <= s.lastOffset(); o++) {
                        int n = settleCount.merge(key(s.partition(), o), 1, Integer::sum);
                        assertThat(n).as("offset %d/%d settled twice", s.partition(), o).isEqualTo(1);
                    }
                } else if (r instanceof GroupRecord.Released rel) {
                    long k = key(rel.partition(), rel.offset());
                    assertThat(rel.deliveryCount()).as("release of the latest delivery").isEqualTo(maxCountSeen.get(k));
                    releases.put(k, rel.releases());
                }
            }
            return d;
        }

        void join() {
            if (held.size() < config.membersMax()) {
                Decision<MemberView> d = run(shell.group.join("c", "orders", 0, nowMs));
                assertThat(d.isOk()).as(d.errorMessage()).isTrue();
                held.put(d.reply().memberId(), new ArrayList<>());
            }
        }

        String member(int arg) {
            List<String> ids = new ArrayList<>(shell.group.memberIds());
            return ids.isEmpty() ? null : ids.get(arg % ids.size());
        }

        void leave(int arg) {
            String m = member(arg);
            if (m != null) {
                run(shell.group.leave(m, nowMs));
                held.remove(m);
            }
        }

        void poll(int arg, int max) {
            String m = member(arg);
            if (m == null) {
                return;
            }
            List<Delivery> got = run(shell.group.poll(m, max, nowMs, log)).reply();
            for (Delivery d : got) {
                observe(d);
                held.get(m).add(d);
            }
            assertThat(shell.group.unacked(m)).isLessThanOrEqualTo(config.maxUnackedPerMember());
        }

        /** Delivery counts of an offset strictly increase across everything any client ever saw. */
        void observe(Delivery d) {
            long k = key(d.partition(), d.offset());
            Integer before = maxCountSeen.get(k);
            if (before == null && assumedNeverSeen.remove(k)) {
                // Below a horizon at a crash: it may have gone out, so it counts one delivery already.
                assertThat(d.deliveryCount()).as("first seen delivery of assumed %d/%d", d.partition(), d.offset())
                        .isGreaterThan(1);
                assumedThenSeen++;
            } else if (before == null) {
                assertThat(d.deliveryCount()).as("first delivery of %d/%d", d.partition(), d.offset()).isEqualTo(1);
            } else {
                assertThat(d.deliveryCount()).as("redelivery of %d/%d", d.partition(), d.offset()).isGreaterThan(before);
            }
            assertThat(d.deliveryCount() - releases.getOrDefault(k, 0)).as("attempts of %d/%d", d.partition(),
                    d.offset()).isLessThanOrEqualTo(config.maxDeliveries());
            maxCountSeen.put(k, d.deliveryCount());
            if (inFlightAtRestart.remove(k)) {
                redeliveredAfterRestart++;
            }
            everDelivered.add(d);
        }

        void ackOrNack(int arg, boolean nack) {
            String m = member(arg);
            if (m == null || held.get(m).isEmpty()) {
                return;
            }
            List<Delivery> mine = held.get(m);
            Delivery d = mine.remove((arg / 7) % mine.size());
            boolean stale = d.leaseEpoch() != shell.group.leaseEpoch(d.partition());
            Decision<List<ErrorCode>> res = nack
                    ? run(shell.group.nack(m, List.of(new NackItem(d.partition(), d.leaseEpoch(), d.offset(), "e")), nowMs))
                    : run(shell.group.ack(m, List.of(new AckItem(d.partition(), d.leaseEpoch(), d.offset()))));
            if (stale) {
                assertStaleChangedNothing(res);
            }
        }

        /** An old delivery (possibly made to someone else, or before a restart) acked by any member. */
        void staleAck(int arg) {
            String m = member(arg);
            if (m == null || everDelivered.isEmpty()) {
                return;
            }
            Delivery d = everDelivered.get(arg % everDelivered.size());
            boolean stale = d.leaseEpoch() != shell.group.leaseEpoch(d.partition())
                    || !m.equals(shell.group.leaseHolder(d.partition()).orElse(null));
            Decision<List<ErrorCode>> res = run(shell.group.ack(m,
                    List.of(new AckItem(d.partition(), d.leaseEpoch(), d.offset()))));
            if (stale) {
                assertStaleChangedNothing(res);
            }
        }

        void assertStaleChangedNothing(Decision<List<ErrorCode>> res) {
            staleChecked++;
            assertThat(res.reply()).containsExactly(ErrorCode.STALE_LEASE);
            assertThat(res.records()).noneMatch(r -> r instanceof Settled || r instanceof SettledRange);
            assertThat(res.deadLetters()).isEmpty();
        }

        /**
         * Several held deliveries of one member (a slice of them in partition and offset order, so
         * runs are common) acked in ONE request of ranges, sometimes with an old delivery that is
         * stale: each stale item answers STALE_LEASE and changes nothing, and nothing outside the
         * request is settled.
         */
        void rangeAck(int arg) {
            String m = member(arg);
            if (m == null || held.get(m).isEmpty()) {
                return;
            }
            List<Delivery> mine = held.get(m);
            List<Delivery> sorted = new ArrayList<>(mine);
            sorted.sort(Comparator.comparingInt(Delivery::partition).thenComparingLong(Delivery::offset)
                    .thenComparingInt(Delivery::deliveryCount));
            int from = (arg / 7) % sorted.size();
            List<Delivery> slice = new ArrayList<>(sorted.subList(from, from + 1 + (arg / 3) % (sorted.size() - from)));
            mine.removeAll(slice);
            if (arg % 4 == 0 && !everDelivered.isEmpty()) {
                slice.add((arg / 13) % (slice.size() + 1), everDelivered.get((arg / 11) % everDelivered.size()));
            }
            AckItemRanges.Builder items = AckItemRanges.builder();
            List<Boolean> stale = new ArrayList<>();
            java.util.Set<Long> fresh = new java.util.HashSet<>();
            java.util.Set<Integer> touched = new java.util.HashSet<>();
            for (Delivery d : slice) {
                items.add(d.partition(), d.leaseEpoch(), d.offset());
                boolean s = d.leaseEpoch() != shell.group.leaseEpoch(d.partition())
                        || !m.equals(shell.group.leaseHolder(d.partition()).orElse(null));
                stale.add(s);
                if (!s) {
                    fresh.add(key(d.partition(), d.offset()));
                    touched.add(d.partition());
                }
            }
            Map<Integer, List<Object>> untouchedBefore = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                if (!touched.contains(p)) {
                    untouchedBefore.put(p, partitionState(p));
                }
            }
            Decision<AckResultRanges> res = run(shell.group.ack(m, items.build()));
            assertThat(res.isOk()).as(res.errorMessage()).isTrue();
            assertThat(res.reply()).hasSize(slice.size());
            for (int i = 0; i < slice.size(); i++) {
                Ack.Result r = res.reply().get(i);
                Delivery d = slice.get(i);
                assertThat(List.of(r.partition(), r.offset())).containsExactly(d.partition(), d.offset());
                if (stale.get(i)) {
                    staleInRanges++;
                    assertThat(r.error()).as("stale %s in a range ack", d).isEqualTo(ErrorCode.STALE_LEASE);
                }
            }
            for (GroupRecord r : res.records()) {
                if (r instanceof SettledRange s) {
                    rangeRunsSettled++;
                    for (long o = s.firstOffset(); o <= s.lastOffset(); o++) {
                        assertThat(fresh).as("settled %d/%d", s.partition(), o).contains(key(s.partition(), o));
                    }
                } else if (r instanceof Settled s) {
                    assertThat(fresh).as("settled %d/%d", s.partition(), s.offset()).contains(key(s.partition(), s.offset()));
                }
            }
            assertThat(res.deadLetters()).isEmpty();
            for (Map.Entry<Integer, List<Object>> e : untouchedBefore.entrySet()) {
                assertThat(partitionState(e.getKey())).as("partition %d, only stale items", e.getKey())
                        .isEqualTo(e.getValue());
            }
        }

        List<Object> partitionState(int p) {
            GroupState g = shell.group;
            List<Object> slots = new ArrayList<>();
            for (long o = g.ackFloor(p); o < g.nextOffset(p); o++) {
                slots.add(g.slotState(p, o));
            }
            return List.of(g.ackFloor(p), g.settledAboveFloor(p), g.inFlight(p), g.nextOffset(p), slots);
        }

        void tick(int advanceMs) {
            nowMs += advanceMs;
            // Live clients heartbeat now and then; some are paused and expire.
            for (String m : shell.group.memberIds()) {
                if ((m.hashCode() + nowMs / 1_000) % 3 != 0) {
                    run(shell.group.heartbeat(m, nowMs));
                }
            }
            List<String> expired = run(shell.group.tick(nowMs)).reply();
            expired.forEach(held::remove);
        }

        /**
         * Crash and restart. Variant: the crash hits after a poll was decided but before its
         * records were persisted; that reply was never sent, so no client saw those deliveries.
         */
        void restart(int arg) {
            // Compaction only between fully persisted decisions (the snapshotRecords contract).
            if (arg % 2 == 0) {
                shell.compact();
            }
            if (arg % 3 == 0 && !shell.group.memberIds().isEmpty()) {
                shell.group.poll(shell.group.memberIds().first(), 3, nowMs, log); // lost: never persisted
            }
            if (arg % 4 == 1) {
                // New messages, polled and seen by a client, perhaps answered ahead: the crash comes next.
                log.append(arg % PARTITIONS, 1 + arg % 4);
                poll(arg, 1 + arg % 5);
            }
            int kept = (arg / 7) % 3;
            if (shell.ahead.size() > kept) {
                aheadLost++;
            }
            shell.restart(kept); // the rest of what was answered ahead is lost
            restarts++;
            held.clear();
            for (int p = 0; p < PARTITIONS; p++) {
                for (long o : shell.group.inFlight(p).keySet()) {
                    inFlightAtRestart.add(key(p, o));
                    if (!maxCountSeen.containsKey(key(p, o))) {
                        assumedNeverSeen.add(key(p, o));
                    }
                }
            }
        }

        void confirmDeadLetters(int arg) {
            List<DeadLetterRequest> pending = new ArrayList<>(shell.deadLetterRequests);
            shell.deadLetterRequests.clear();
            for (DeadLetterRequest r : pending) {
                // Some copies are still in progress; they are confirmed later.
                if ((r.offset() + arg) % 2 == 0) {
                    run(shell.group.deadLettered(r.partition(), r.offset()));
                } else {
                    shell.deadLetterRequests.add(r);
                }
            }
        }

        /** Everyone behaves: one live member acks everything it gets, DLQ copies complete. */
        void driveToQuiescence() {
            for (int round = 0; round < 500 && !settledAll(); round++) {
                if (shell.group.memberIds().isEmpty()) {
                    join();
                }
                for (DeadLetterRequest r : new ArrayList<>(shell.deadLetterRequests)) {
                    run(shell.group.deadLettered(r.partition(), r.offset()));
                }
                shell.deadLetterRequests.clear();
                for (String m : shell.group.memberIds()) {
                    for (Delivery d : run(shell.group.poll(m, 50, nowMs, log)).reply()) {
                        observe(d);
                        List<ErrorCode> codes = run(shell.group.ack(m,
                                List.of(new AckItem(d.partition(), d.leaseEpoch(), d.offset())))).reply();
                        assertThat(codes).containsExactly(ErrorCode.NONE);
                    }
                }
                nowMs += 500;
                for (String m : shell.group.memberIds()) {
                    run(shell.group.heartbeat(m, nowMs));
                }
                run(shell.group.tick(nowMs));
            }
        }

        boolean settledAll() {
            for (int p = 0; p < PARTITIONS; p++) {
                if (shell.group.ackFloor(p) != log.logEndOffset(p)) {
                    return false;
                }
            }
            return true;
        }
    }
}
