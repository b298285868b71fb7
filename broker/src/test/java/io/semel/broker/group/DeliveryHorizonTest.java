package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.GroupRecord.DeliveredRange;
import io.semel.broker.group.GroupRecord.DeliveryHorizon;
import io.semel.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The delivery horizon: which polls may be answered before their records are durable, and what
 * replay assumes when a crash lost such records. The crash interleavings at large are in
 * {@link GroupProperties}; these are the cases one can name.
 */
class DeliveryHorizonTest {
    private static final GroupConfig CONFIG = GroupConfig.builder().maxDeliveries(3).maxUnackedPerMember(100)
            .deliveryWindowMax(1_000).deliveryHorizonMessages(20).build();

    private final Shell shell = new Shell(CONFIG, "orders", 1);
    private final TestLog log = new TestLog(1);

    {
        shell.ends = (topic, partition) -> log.logEndOffset(partition);
    }

    private String join() {
        Decision<MemberView> d = shell.run(shell.group.join("c", "orders", 0, 0));
        assertThat(d.error()).as(d.errorMessage()).isEqualTo(ErrorCode.NONE);
        return d.reply().memberId();
    }

    private Decision<Deliveries> poll(String member, int max) {
        Decision<Deliveries> d = shell.run(shell.group.poll(member, max, 0, log));
        assertThat(d.error()).as(d.errorMessage()).isEqualTo(ErrorCode.NONE);
        return d;
    }

    @Test
    void theFirstPollWaitsAndRecordsAHorizonLaterPollsBelowItMayBeAnsweredAhead() {
        log.append(0, 100);
        String m = join();
        Decision<Deliveries> first = poll(m, 5);
        assertThat(first.replyBeforeDurable()).as("no durable horizon yet").isFalse();
        assertThat(first.records()).contains(new DeliveryHorizon(0, 25));

        Decision<Deliveries> second = poll(m, 5);
        assertThat(second.replyBeforeDurable()).as("offsets 5..9 are below the durable horizon 25").isTrue();
        assertThat(second.records()).as("a poll's new offsets are one record").containsExactly(
                new DeliveredRange(0, 5, 9, 1));

        // 10..15: past half a step before the horizon, so a new one (36) is recorded, still ahead.
        Decision<Deliveries> third = poll(m, 6);
        assertThat(third.replyBeforeDurable()).isTrue();
        assertThat(third.records()).endsWith(new DeliveryHorizon(0, 36));
    }

    @Test
    void aPollReachingPastTheDurableHorizonWaits() {
        log.append(0, 100);
        String m = join();
        poll(m, 5); // records horizon 25, durable when the shell stores it
        shell.holdAhead = true;
        Decision<Deliveries> ahead = poll(m, 10); // 5..14, ahead; records horizon 34, not yet durable
        assertThat(ahead.replyBeforeDurable()).isTrue();
        assertThat(shell.ahead).hasSize(1);
        Decision<Deliveries> past = poll(m, 20); // 15..34 reaches past 25: must wait for its records
        assertThat(past.replyBeforeDurable()).isFalse();
        assertThat(past.records()).as("cut at the durable horizon: only 15..24 could have gone ahead")
                .startsWith(new DeliveredRange(0, 15, 24, 1), new DeliveredRange(0, 25, 34, 1));
        assertThat(shell.ahead).as("written before the poll that had to wait").isEmpty();
    }

    @Test
    void aRedeliveryIsNeverAnsweredAhead() {
        log.append(0, 10);
        String m = join();
        List<Delivery> got = poll(m, 2).reply();
        shell.run(shell.group.nack(m, List.of(new NackItem(0, got.get(0).leaseEpoch(), 0, "again")), 0));
        Decision<Deliveries> redelivery = shell.run(shell.group.poll(m, 1, 10_000, log));
        assertThat(redelivery.reply()).extracting(Delivery::deliveryCount).containsExactly(2);
        assertThat(redelivery.replyBeforeDurable()).isFalse();
    }

    @Test
    void deliveriesAnsweredAheadAndLostInACrashCountOneDeliveryUpToTheHorizonAndTheLogEnd() {
        log.append(0, 30);
        String m = join();
        poll(m, 5); // 0..4, horizon 25 durable
        shell.holdAhead = true;
        assertThat(poll(m, 10).replyBeforeDurable()).isTrue(); // 5..14 seen by the client, records lost:
        shell.restart(0);

        // 5..24 may have gone out (below the horizon); 25..29 cannot have: they were never counted.
        Map<Long, Integer> inFlight = shell.group.inFlight(0);
        assertThat(inFlight.keySet()).containsExactlyElementsOf(range(0, 25));
        assertThat(inFlight.values()).allMatch(count -> count == 1);
        shell.holdAhead = false;
        String again = join();
        List<Delivery> redelivered = poll(again, 30).reply();
        assertThat(redelivered).filteredOn(d -> d.offset() < 25).extracting(Delivery::deliveryCount)
                .containsOnly(2);
        assertThat(redelivered).filteredOn(d -> d.offset() >= 25).extracting(Delivery::deliveryCount)
                .containsOnly(1).hasSize(5);
    }

    @Test
    void replayAssumesNothingAtOrAboveThePartitionsDurableEnd() {
        log.append(0, 8);
        String m = join();
        poll(m, 3); // horizon 23, far beyond the 8 messages there are
        shell.restart();
        assertThat(shell.group.inFlight(0).keySet()).containsExactlyElementsOf(range(0, 8));
        log.append(0, 4); // 8..11 arrive after the restart: first deliveries
        String again = join();
        assertThat(poll(again, 20).reply()).filteredOn(d -> d.offset() >= 8).extracting(Delivery::deliveryCount)
                .containsOnly(1).hasSize(4);
    }

    @Test
    void aHorizonRecordedBeforeAResetCoversNothingAfterItEvenWhenALaterOneHasTheSameOffset() {
        log.append(0, 100);
        String m = join();
        // Decided, not yet durable (the core is driven by hand here: the shell does not store these).
        Decision<Deliveries> beforeReset = shell.group.poll(m, 5, 0, log);
        assertThat(beforeReset.records()).contains(new DeliveryHorizon(0, 25));
        shell.run(shell.group.leave(m, 0));
        shell.run(shell.group.reset(Map.of(0, 0L)));
        String again = join();
        Decision<Deliveries> afterReset = shell.group.poll(again, 5, 0, log);
        assertThat(afterReset.records()).as("an equal horizon, recorded after the reset")
                .contains(new DeliveryHorizon(0, 25));

        shell.group.persisted(beforeReset); // late report of the horizon from before the reset
        Decision<Deliveries> next = shell.group.poll(again, 5, 0, log);
        assertThat(next.reply()).extracting(Delivery::offset).containsExactly(5L, 6L, 7L, 8L, 9L);
        assertThat(next.replyBeforeDurable()).as("the horizon after the reset is not durable yet").isFalse();

        shell.group.persisted(afterReset);
        assertThat(shell.group.poll(again, 5, 0, log).replyBeforeDurable()).isTrue();
    }

    @Test
    void aSnapshotKeepsTheHorizonSoACrashAfterCompactionStillCountsWhatWasAnsweredAhead() {
        log.append(0, 40);
        String m = join();
        poll(m, 5);
        shell.compact();
        shell.holdAhead = true;
        assertThat(poll(m, 10).replyBeforeDurable()).isTrue();
        shell.restart(0);
        assertThat(shell.group.inFlight(0).keySet()).containsExactlyElementsOf(range(0, 25));
    }

    /**
     * A shell that never reports durability cannot make the core keep horizons without bound: at
     * HORIZONS_PENDING_MAX the oldest is dropped, a late report of it covers nothing, and a report of
     * a kept one still does.
     */
    @Test
    void horizonsWaitingForTheirReportAreBoundedAndADroppedOneCoversNothing() {
        GroupConfig smallSteps = GroupConfig.builder().maxDeliveries(3).maxUnackedPerMember(1_000)
                .deliveryWindowMax(1_000).deliveryHorizonMessages(2).build();
        Shell s = new Shell(smallSteps, "orders", 1);
        TestLog l = new TestLog(1).append(0, 200);
        String m = s.run(s.group.join("c", "orders", 0, 0)).reply().memberId();
        List<Decision<Deliveries>> unreported = new java.util.ArrayList<>();
        for (int i = 0; i < PartitionProgress.HORIZONS_PENDING_MAX + 10; i++) {
            Decision<Deliveries> d = s.group.poll(m, 1, 0, l); // decided, never reported durable
            assertThat(d.records()).hasAtLeastOneElementOfType(DeliveryHorizon.class);
            unreported.add(d);
        }
        PartitionProgress p = s.group.progress(0);
        assertThat(p.horizonsPending).hasSize(PartitionProgress.HORIZONS_PENDING_MAX);

        s.group.persisted(unreported.get(0)); // dropped from the pending ones
        assertThat(p.horizonDurable).isZero();
        assertThat(s.group.poll(m, 1, 0, l).replyBeforeDurable()).isFalse();

        Decision<Deliveries> kept = unreported.get(unreported.size() - 1);
        s.group.persisted(kept);
        long newest = ((DeliveryHorizon) kept.records().get(kept.records().size() - 1)).offset();
        assertThat(p.horizonDurable).isEqualTo(newest);
        assertThat(s.group.poll(m, 1, 0, l).replyBeforeDurable()).isTrue();
    }

    @Test
    void offWithMaxDeliveriesOneOrAZeroStep() {
        for (GroupConfig off : List.of(GroupConfig.builder().maxDeliveries(1).build(),
                GroupConfig.builder().deliveryHorizonMessages(0).build())) {
            Shell s = new Shell(off, "orders", 1);
            TestLog l = new TestLog(1).append(0, 50);
            String m = s.run(s.group.join("c", "orders", 0, 0)).reply().memberId();
            for (int i = 0; i < 5; i++) {
                Decision<Deliveries> d = s.run(s.group.poll(m, 5, 0, l));
                assertThat(d.reply()).hasSize(5);
                assertThat(d.replyBeforeDurable()).isFalse();
                assertThat(d.records()).noneMatch(r -> r instanceof DeliveryHorizon);
            }
        }
    }

    private static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.range(from, to).boxed().toList();
    }
}
