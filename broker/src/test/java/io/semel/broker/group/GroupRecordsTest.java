package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.DeliveredRange;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupRecordsTest {
    private static final SettleReason ACKED = SettleReason.ACKED;

    @Test
    void anInOrderRunOfSettlementsIsOneRange() {
        List<GroupRecord> run = new ArrayList<>();
        for (long o = 10; o < 510; o++) {
            run.add(new Settled(2, o, ACKED));
        }
        assertThat(GroupRecords.coalesced(run)).containsExactly(new SettledRange(2, 10, 509, ACKED));
    }

    @Test
    void onlyAdjacentConsecutiveRecordsOfOnePartitionReasonAndCountMerge() {
        List<GroupRecord> in = List.of(
                new Delivered(0, 5, 2), new Delivered(0, 6, 2), new Delivered(0, 7, 1), new Delivered(0, 8, 1),
                new Settled(0, 1, ACKED), new Settled(0, 3, ACKED), new Settled(1, 4, ACKED),
                new Settled(1, 5, SettleReason.DEAD_LETTERED), new LeaseGranted(0, 3),
                new Settled(1, 6, SettleReason.DEAD_LETTERED), new Settled(1, 7, SettleReason.DEAD_LETTERED));
        assertThat(GroupRecords.coalesced(in)).containsExactly(
                new DeliveredRange(0, 5, 6, 2), new DeliveredRange(0, 7, 8, 1),
                new Settled(0, 1, ACKED), new Settled(0, 3, ACKED), new Settled(1, 4, ACKED),
                new Settled(1, 5, SettleReason.DEAD_LETTERED), new LeaseGranted(0, 3),
                new SettledRange(1, 6, 7, SettleReason.DEAD_LETTERED));
    }

    @Test
    void aDecisionAckingAPolledBatchInOrderPersistsOneSettledRange() {
        GroupConfig config = GroupConfig.builder().build();
        Shell shell = new Shell(config, "orders", 1);
        TestLog log = new TestLog(1);
        log.append(0, 500);
        String m = shell.run(shell.group.join("c", "orders", 0, 0)).reply().memberId();
        List<Delivery> polled = shell.run(shell.group.poll(m, 500, 0, log)).reply();
        List<AckItem> acks = polled.stream().map(d -> new AckItem(d.partition(), d.leaseEpoch(), d.offset())).toList();
        Decision<List<io.semel.protocol.ErrorCode>> acked = shell.group.ack(m, acks);

        assertThat(GroupRecords.coalesced(acked.records())).containsExactly(new SettledRange(0, 0, 499, ACKED));
        shell.run(acked);
        shell.restart();
        assertThat(shell.group.ackFloor(0)).as("the range replays as 500 settlements").isEqualTo(500);
    }

    /** What a poll that found nothing waits for: new durable data where the window is open, and due redeliveries. */
    @Test
    void pollWaitNamesTheOffsetsWhoseDurabilityMakesSomethingDeliverableAndTheNextDueTime() {
        GroupConfig config = GroupConfig.builder().deliveryWindowMax(2).build();
        Shell shell = new Shell(config, "orders", 2);
        TestLog log = new TestLog(2);
        log.append(0, 2);
        String m = shell.run(shell.group.join("c", "orders", 0, 0)).reply().memberId();
        assertThat(shell.group.pollWait(m).durableOffsets()).containsEntry(0, 0L).containsEntry(1, 0L);
        List<Delivery> polled = shell.run(shell.group.poll(m, 10, 0, log)).reply();
        assertThat(polled).hasSize(2);
        GroupState.PollWait full = shell.group.pollWait(m);
        assertThat(full.durableOffsets()).as("partition 0's window is full: new data there cannot be delivered")
                .doesNotContainKey(0).containsEntry(1, 0L);
        assertThat(full.dueAtMs()).isEqualTo(Long.MAX_VALUE);
        Delivery first = polled.get(0);
        shell.run(shell.group.nack(m, List.of(new NackItem(0, first.leaseEpoch(), first.offset(), "x")), 1_000));
        assertThat(shell.group.pollWait(m).dueAtMs()).isEqualTo(1_000 + config.nackBackoffMs(1));
        assertThat(shell.group.pollWait("nobody").durableOffsets()).isEmpty();
    }
}
