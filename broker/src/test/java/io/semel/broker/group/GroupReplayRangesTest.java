package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.group.GroupRecord.DeliveredRange;
import io.semel.broker.group.GroupRecord.GroupCreated;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.Released;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replay of range records costs per record, not per offset. The logs here hold ranges of
 * {@link GroupRecord#RANGE_OFFSETS_MAX} offsets over spans of 2 * 10^10: replayed offset by offset
 * (as before {@code GroupReplay.StagedSlots}) they would take about an hour, so the timeouts are
 * hang guards, not performance thresholds. {@link Shell#restart()} checks on every restart of the
 * group properties that ranges replay as their offsets one by one would.
 */
class GroupReplayRangesTest {
    private static final long RANGE = GroupRecord.RANGE_OFFSETS_MAX;
    /** Offsets the long logs cover. */
    private static final long SPAN = 20_000 * RANGE;
    private static final GroupState.DurableEnds ENDS = (topic, partition) -> 2 * SPAN;

    /** First deliveries of {@code [0, end)}, in ranges as long as they may be. */
    private static List<GroupRecord> delivered(long end, int count) {
        List<GroupRecord> out = new ArrayList<>();
        for (long first = 0; first < end; first += RANGE) {
            out.add(new DeliveredRange(0, first, Math.min(end, first + RANGE) - 1, count));
        }
        return out;
    }

    /** {@code [0, end)} acked in order, in ranges as long as they may be. */
    private static List<GroupRecord> acked(long end) {
        List<GroupRecord> out = new ArrayList<>();
        for (long first = 0; first < end; first += RANGE) {
            out.add(new SettledRange(0, first, Math.min(end, first + RANGE) - 1, SettleReason.ACKED));
        }
        return out;
    }

    /** A group of one partition, leased once, then {@code records}; modifiable. */
    private static List<GroupRecord> log(GroupRecord... records) {
        List<GroupRecord> out = new ArrayList<>();
        out.add(new GroupCreated("g", "t", 1));
        out.add(new LeaseGranted(0, 1));
        out.addAll(List.of(records));
        return out;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void offsetsDeliveredAndAckedInOrderReplayToTheirFloor() throws Exception {
        List<GroupRecord> log = log();
        for (long first = 0; first < SPAN; first += RANGE) {
            log.add(new DeliveredRange(0, first, first + RANGE - 1, 1));
            log.add(new SettledRange(0, first, first + RANGE - 1, SettleReason.ACKED));
        }

        GroupState g = GroupState.replay(GroupConfig.defaults(), log, ENDS);

        assertThat(g.ackFloor(0)).isEqualTo(SPAN);
        assertThat(g.nextOffset(0)).isEqualTo(SPAN);
        assertThat(g.inFlight(0)).isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void whatARunLeavesUnsettledIsInFlightWithItsCount() throws Exception {
        List<GroupRecord> log = log();
        log.addAll(delivered(SPAN, 2));
        log.add(new Released(0, SPAN - 3, 2, 1)); // one offset of a run gets a state of its own
        log.addAll(acked(SPAN - 5));
        log.add(new Settled(0, SPAN - 4, SettleReason.ACKED));

        GroupState g = GroupState.replay(GroupConfig.defaults(), log, ENDS);

        assertThat(g.ackFloor(0)).isEqualTo(SPAN - 5);
        assertThat(g.settledAboveFloor(0)).containsExactly(SPAN - 4);
        assertThat(g.inFlight(0)).containsOnlyKeys(SPAN - 5, SPAN - 3, SPAN - 2, SPAN - 1)
                .allSatisfy((offset, count) -> assertThat(count).isEqualTo(2));
        assertThat(g.nextOffset(0)).isEqualTo(SPAN);
    }

    /** Runs cost nothing until finish: there, more unsettled offsets than a slot table holds are refused, not allocated. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void runsLeftUnsettledBeyondWhatASlotTableHoldsAreInconsistent() {
        List<GroupRecord> log = log();
        log.addAll(delivered(SlotTable.SPAN_MAX + RANGE, 1));

        assertThatThrownBy(() -> GroupState.replay(GroupConfig.defaults(), log, ENDS))
                .isInstanceOf(CorruptGroupRecordException.class)
                .hasMessageContaining("more than a partition's slot table holds (" + SlotTable.SPAN_MAX + ")");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRangeSettledAheadOfTheFloorIsStillCheckedOffsetByOffset() {
        // Not at the floor: the offsets go one by one, and settling one twice is still refused.
        assertThatThrownBy(() -> GroupState.replay(GroupConfig.defaults(), log(
                new DeliveredRange(0, 0, 99, 1),
                new SettledRange(0, 10, 19, SettleReason.ACKED),
                new SettledRange(0, 15, 24, SettleReason.ACKED)), ENDS))
                .isInstanceOf(CorruptGroupRecordException.class).hasMessageContaining("offset 15 settled twice");
        assertThatThrownBy(() -> GroupState.replay(GroupConfig.defaults(), log(
                new DeliveredRange(0, 0, RANGE - 1, 1),
                new SettledRange(0, 0, 9, SettleReason.ACKED),
                new DeliveredRange(0, 5, 6, 2)), ENDS))
                .isInstanceOf(CorruptGroupRecordException.class).hasMessageContaining("offset 5 delivered after it was settled");
    }
}
