package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-partition slot counts behind {@code unacked()}, DESCRIBE's due and dead-letter counts and
 * the poll's due-slot scan are kept incrementally; here they are checked against a recount of every
 * slot's state through a run of every command that moves slots (deliveries, acks, nacks, ack
 * timeouts, lease moves by join and expiry, clean leaves, dead letters, restarts, compaction).
 */
class GroupSlotCountsTest {
    private static final int PARTITIONS = 4;
    private static final GroupConfig CONFIG = GroupConfig.builder()
            .ackTimeoutMs(1_000).maxDeliveries(3).sessionTimeoutMs(5_000).sessionTimeoutMinMs(1_000)
            .sessionTimeoutMaxMs(60_000).nackBackoffMs(100).nackBackoffMaxMs(400).maxUnackedPerMember(40)
            .deliveryWindowMax(64).build();

    private final Shell shell = new Shell(CONFIG, "orders", PARTITIONS);
    private final TestLog log = new TestLog(PARTITIONS).appendAll(5_000);
    private final List<Delivery> outstanding = new ArrayList<>();

    /** Recounted from every in-flight offset's state: what the kept counts must equal. */
    private int recount(int partition, SlotState state) {
        int n = 0;
        for (long offset : shell.group.inFlight(partition).keySet()) {
            if (shell.group.slotState(partition, offset).orElseThrow() == state) {
                n++;
            }
        }
        return n;
    }

    private void assertCountsMatchARecount(int step) {
        GroupState g = shell.group;
        for (int p = 0; p < PARTITIONS; p++) {
            GroupState.PartitionStatus status = g.status(p);
            assertThat(status.inFlight()).as("step %d partition %d DELIVERED", step, p)
                    .isEqualTo(recount(p, SlotState.DELIVERED));
            assertThat(status.due()).as("step %d partition %d DUE", step, p).isEqualTo(recount(p, SlotState.DUE));
            sawDue |= status.due() > 0;
            assertThat(status.deadLetterPending()).as("step %d partition %d DEAD_LETTER_PENDING", step, p)
                    .isEqualTo(recount(p, SlotState.DEAD_LETTER_PENDING));
        }
        for (String member : g.memberIds()) {
            int delivered = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                if (g.leaseHolder(p).orElse("").equals(member)) {
                    delivered += recount(p, SlotState.DELIVERED);
                }
            }
            assertThat(g.unacked(member)).as("step %d unacked of %s", step, member).isEqualTo(delivered);
        }
    }

    @Test
    void keptSlotCountsEqualARecountThroughDeliveriesNacksTimeoutsLeaseMovesLeavesDeadLettersAndRestarts() {
        Random random = new Random(20261206);
        long now = 0;
        int[] seen = new int[8];
        for (int step = 0; step < 3_000; step++) {
            List<String> members = new ArrayList<>(shell.group.memberIds());
            int op = random.nextInt(100);
            if (members.isEmpty() || op < 4) {
                shell.run(shell.group.join("app", "orders", 0, now));
                seen[0]++;
            } else if (op < 40) {
                String m = members.get(random.nextInt(members.size()));
                outstanding.addAll(shell.run(shell.group.poll(m, 1 + random.nextInt(20), now, log)).reply());
                seen[1]++;
            } else if (op < 65 && !outstanding.isEmpty()) {
                settleSome(members, random, now, false);
                seen[2]++;
            } else if (op < 75 && !outstanding.isEmpty()) {
                settleSome(members, random, now, true);
                seen[3]++;
            } else if (op < 88) {
                // Up to past the ack timeout, sometimes past a session timeout (the member expires).
                now += random.nextInt(random.nextInt(10) == 0 ? 6_000 : 1_200);
                shell.run(shell.group.tick(now));
                for (String m : shell.group.memberIds()) {
                    if (random.nextInt(4) != 0) {
                        shell.run(shell.group.heartbeat(m, now));
                    }
                }
                seen[4]++;
            } else if (op < 92) {
                shell.run(shell.group.leave(members.get(random.nextInt(members.size())), now));
                seen[5]++;
            } else if (op < 96) {
                confirmDeadLetters();
                seen[6]++;
            } else {
                if (random.nextBoolean()) {
                    shell.compact();
                }
                shell.restart();
                outstanding.clear();
                seen[7]++;
            }
            assertCountsMatchARecount(step);
        }
        // Every kind of step ran, and slots reached every non-terminal state along the way.
        assertThat(java.util.Arrays.stream(seen).min().orElseThrow()).as("fewest steps of one kind").isGreaterThan(10);
        assertThat(sawDue).as("a DUE slot was counted").isTrue();
        assertThat(confirmed).as("dead letters confirmed").isPositive();
    }

    private int confirmed;
    private boolean sawDue;

    private void settleSome(List<String> members, Random random, long now, boolean nack) {
        int n = 1 + random.nextInt(Math.min(10, outstanding.size()));
        List<AckItem> acks = new ArrayList<>();
        List<NackItem> nacks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Delivery d = outstanding.remove(random.nextInt(outstanding.size()));
            if (nack) {
                nacks.add(new NackItem(d.partition(), d.leaseEpoch(), d.offset(), "failed"));
            } else {
                acks.add(new AckItem(d.partition(), d.leaseEpoch(), d.offset()));
            }
        }
        // From a random member: stale or foreign settlements must change no count either.
        String m = members.get(random.nextInt(members.size()));
        Decision<List<ErrorCode>> d = nack ? shell.group.nack(m, nacks, now) : shell.group.ack(m, acks);
        shell.run(d);
    }

    private void confirmDeadLetters() {
        for (DeadLetterRequest r : List.copyOf(shell.deadLetterRequests)) {
            if (shell.group.slotState(r.partition(), r.offset()).orElse(null) == SlotState.DEAD_LETTER_PENDING) {
                shell.run(shell.group.deadLettered(r.partition(), r.offset()));
                confirmed++;
            }
        }
        shell.deadLetterRequests.clear();
    }
}
