package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reset, growth and deletion of a group: decisions, and the same state after replay and after compaction. */
class GroupAdministrationTest {
    private static final GroupConfig CONFIG = GroupConfig.builder().build();

    @Test
    void resetIsRefusedWithMembersAndMovesFloorsBackOrForthDurably() {
        Shell s = new Shell(CONFIG, "orders", 2);
        TestLog log = new TestLog(2).appendAll(10);
        String m = s.run(s.group.join("c", "orders", 0, 0)).reply().memberId();
        List<Delivery> got = s.run(s.group.poll(m, 8, 1, log)).reply();
        s.run(s.group.ack(m, got.stream().map(d -> new AckItem(d.partition(), d.leaseEpoch(), d.offset())).toList()));
        assertThat(s.run(s.group.reset(Map.of(0, 0L))).error()).isEqualTo(ErrorCode.GROUP_NOT_EMPTY);
        s.run(s.group.leave(m, 2));

        Decision<Map<Integer, Long>> d = s.run(s.group.reset(Map.of(0, 2L, 1, 9L)));
        assertThat(d.isOk()).isTrue();
        assertThat(s.group.ackFloor(0)).isEqualTo(2);
        assertThat(s.group.nextOffset(0)).isEqualTo(2);
        assertThat(s.group.ackFloor(1)).isEqualTo(9);
        assertThat(s.group.inFlight(0)).isEmpty();

        s.restart();
        assertThat(s.group.ackFloor(0)).isEqualTo(2);
        assertThat(s.group.ackFloor(1)).isEqualTo(9);
        s.compact();
        s.restart();
        assertThat(s.group.ackFloor(0)).isEqualTo(2);
        assertThat(s.group.nextOffset(1)).isEqualTo(9);
        // A new member starts at the reset position.
        String again = s.run(s.group.join("c", "orders", 0, 10)).reply().memberId();
        assertThat(s.run(s.group.poll(again, 100, 11, log)).reply()).extracting(Delivery::offset)
                .containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 9L);
    }

    @Test
    void addedPartitionsAreLeasedAndSurviveReplayAndCompaction() {
        Shell s = new Shell(CONFIG, "orders", 1);
        String m = s.run(s.group.join("c", "orders", 0, 0)).reply().memberId();
        Decision<Void> grown = s.run(s.group.addPartitions(3, 1));
        assertThat(grown.records()).contains(new GroupRecord.PartitionsAdded(3));
        assertThat(s.group.partitionCount()).isEqualTo(3);
        assertThat(s.group.leaseHolder(2)).contains(m);
        assertThat(s.run(s.group.addPartitions(3, 2)).records()).as("idempotent").isEmpty();
        TestLog log = new TestLog(3).append(2, 4);
        assertThat(s.run(s.group.poll(m, 10, 3, log)).reply()).hasSize(4);
        s.restart();
        assertThat(s.group.partitionCount()).isEqualTo(3);
        s.compact();
        s.restart();
        assertThat(s.group.partitionCount()).isEqualTo(3);
        assertThat(s.group.leaseEpoch(2)).isPositive();
    }

    @Test
    void aDeletedGroupIsForgottenByReplayAndANewOneOfTheSameNameStartsAfresh() throws Exception {
        GroupRegistry registry = new GroupRegistry(CONFIG);
        Shell log = new Shell(CONFIG, "orders", 1);
        log.run(registry.join("g1", "c", "orders", 1, 0, 0));
        TestLog topic = new TestLog(1).append(0, 3);
        String m = registry.group("g1").orElseThrow().memberIds().first();
        log.run(registry.group("g1").orElseThrow().poll(m, 3, 1, topic));
        log.run(registry.delete("g1"));
        assertThat(registry.group("g1")).isEmpty();
        assertThat(registry.delete("g1")).isNull();

        GroupRegistry replayed = GroupRegistry.replay(CONFIG, Map.of("g1", log.decodedRecords()), (t, p) -> 0);
        assertThat(replayed.groupNames()).isEmpty();

        log.run(registry.join("g1", "c", "orders", 2, 0, 5));
        GroupRegistry again = GroupRegistry.replay(CONFIG, Map.of("g1", log.decodedRecords()), (t, p) -> 0);
        assertThat(again.group("g1").orElseThrow().partitionCount()).isEqualTo(2);
        assertThat(again.group("g1").orElseThrow().inFlight(0)).as("nothing of the deleted group").isEmpty();
    }
}
