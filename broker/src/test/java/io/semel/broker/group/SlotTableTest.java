package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SlotTableTest {
    private final SlotTable table = new SlotTable();
    /** The model: what a TreeMap would hold. */
    private final TreeMap<Long, DeliverySlot> model = new TreeMap<>();

    private DeliverySlot add(long offset) {
        DeliverySlot s = new DeliverySlot(offset, SlotState.DELIVERED, 1);
        table.add(s);
        model.put(offset, s);
        return s;
    }

    private void remove(long offset) {
        assertThat(table.remove(offset)).isSameAs(model.remove(offset));
    }

    private void assertMatchesModel() {
        assertThat(table.size()).isEqualTo(model.size());
        assertThat(table).containsExactlyElementsOf(model.values());
        if (!model.isEmpty()) {
            assertThat(table.firstOffset()).isEqualTo(model.firstKey());
            assertThat(table.lastOffset()).isEqualTo(model.lastKey());
            for (long o = model.firstKey() - 20; o <= model.lastKey() + 20; o++) {
                assertThat(table.get(o)).as("offset %d", o).isSameAs(model.get(o));
            }
        }
        for (SlotState state : SlotState.values()) {
            long recount = model.values().stream().filter(s -> s.state() == state).count();
            assertThat(table.count(state)).as("count of %s", state).isEqualTo((int) recount);
        }
        assertThat(table.checkInvariants()).isTrue();
    }

    @Test
    void offsetsWrapAroundTheRingAndSurviveGrowthInOrder() {
        for (long o = 100; o < 116; o++) {
            add(o);
        }
        for (long o = 100; o < 108; o++) {
            remove(o);
        }
        // 116..123 reuse the ring entries 100..107 had (same capacity, wrapped).
        for (long o = 116; o < 124; o++) {
            add(o);
        }
        assertMatchesModel();
        // Past the capacity: the ring doubles and keeps every slot where get() finds it.
        for (long o = 124; o < 200; o++) {
            add(o);
        }
        assertMatchesModel();
        remove(150);
        remove(108);
        remove(199);
        assertMatchesModel();
    }

    @Test
    void stateCountsFollowMoveToWhileInTheTableAndNotAfter() {
        DeliverySlot a = add(7);
        DeliverySlot b = add(8);
        a.moveTo(SlotState.DUE);
        b.moveTo(SlotState.DEAD_LETTER_PENDING);
        assertThat(table.count(SlotState.DUE)).isEqualTo(1);
        assertThat(table.count(SlotState.DEAD_LETTER_PENDING)).isEqualTo(1);
        assertThat(table.count(SlotState.DELIVERED)).isZero();
        remove(7);
        a.moveTo(SlotState.DELIVERED); // no longer in the table: counts must not change
        assertThat(table.count(SlotState.DELIVERED)).isZero();
        assertMatchesModel();
    }

    @Test
    void aSecondSlotForAnOffsetIsRefused() {
        add(3);
        assertThatThrownBy(() -> table.add(new DeliverySlot(3, SlotState.DELIVERED, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("offset 3 already has a slot");
    }

    @Test
    void randomAddsRemovesAndTransitionsMatchATreeMapAndARecountOfStates() {
        Random random = new Random(20261206);
        long next = 1_000;
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 4 || model.isEmpty()) {
                add(next++);
            } else if (op < 7) {
                // Mostly the lowest (in-order acks), sometimes any.
                List<Long> offsets = new ArrayList<>(model.keySet());
                remove(random.nextInt(3) == 0 ? offsets.get(random.nextInt(offsets.size())) : offsets.get(0));
            } else {
                List<DeliverySlot> slots = new ArrayList<>(model.values());
                DeliverySlot s = slots.get(random.nextInt(slots.size()));
                List<SlotState> allowed = new ArrayList<>();
                for (SlotState to : SlotState.values()) {
                    if (s.state().canMoveTo(to) && !to.isTerminal()) {
                        allowed.add(to);
                    }
                }
                if (!allowed.isEmpty()) {
                    s.moveTo(allowed.get(random.nextInt(allowed.size())));
                }
            }
            if (step % 97 == 0) {
                assertMatchesModel();
            }
        }
        assertMatchesModel();
        table.clear();
        model.clear();
        assertMatchesModel();
    }

    private static int objects(SlotTable t) {
        int n = 0;
        for (DeliverySlot ignored : t.ringSlots()) {
            n++;
        }
        return n;
    }

    @Test
    void freshRunsHoldDeliveredOffsetsWithoutObjectsUntilSomethingTouchesOne() {
        table.addFresh(100, 10, 3, 500);
        assertThat(table.size()).isEqualTo(10);
        assertThat(table.count(SlotState.DELIVERED)).isEqualTo(10);
        assertThat(table.firstOffset()).isEqualTo(100);
        assertThat(table.lastOffset()).isEqualTo(109);
        assertThat(objects(table)).as("no object per offset").isZero();
        assertThat(table.checkInvariants()).isTrue();

        assertThat(table.takeFresh(100, 104, 3)).as("an in-order ack of the lowest").isTrue();
        assertThat(table.size()).isEqualTo(5);
        assertThat(table.firstOffset()).isEqualTo(105);
        assertThat(table.takeFresh(105, 109, 4)).as("another lease").isFalse();
        assertThat(table.takeFresh(106, 109, 3)).as("not the lowest").isFalse();
        assertThat(table.takeFresh(105, 110, 3)).as("beyond the fresh offsets").isFalse();
        assertThat(table.size()).as("refusals change nothing").isEqualTo(5);
        assertThat(objects(table)).isZero();

        DeliverySlot s = table.get(107);
        assertThat(objects(table)).as("touching one gives them all their objects").isEqualTo(5);
        assertThat(s.state()).isEqualTo(SlotState.DELIVERED);
        assertThat(s.deliveryCount).isEqualTo(1);
        assertThat(s.leaseEpoch).isEqualTo(3);
        assertThat(s.ackDeadlineMs).isEqualTo(500);
        assertThat(table.count(SlotState.DELIVERED)).isEqualTo(5);
        assertThat(table.takeFresh(105, 109, 3)).as("no longer fresh").isFalse();
        assertThat(table.checkInvariants()).isTrue();
    }

    @Test
    void takeFreshSpansRunsOfOneLeaseAndDeadlinesAreSeenWithoutObjects() {
        table.addFresh(0, 5, 1, 100);
        table.addFresh(5, 5, 1, 200);
        table.addFresh(10, 5, 2, 300);
        assertThat(table.freshExpiredBy(99)).isFalse();
        assertThat(table.freshExpiredBy(100)).isTrue();
        assertThat(table.takeFresh(0, 7, 1)).isTrue();
        assertThat(table.freshExpiredBy(150)).as("the run due at 100 was taken").isFalse();
        assertThat(table.takeFresh(8, 12, 1)).as("offsets 10.. are another lease's").isFalse();
        assertThat(table.takeFresh(8, 9, 1)).isTrue();
        assertThat(table.firstOffset()).isEqualTo(10);
        assertThat(table.size()).isEqualTo(5);
        assertThatThrownBy(() -> table.addFresh(12, 1, 2, 300)).as("not above every slot")
                .isInstanceOf(IllegalStateException.class);
        table.add(new DeliverySlot(20, SlotState.DUE, 2));
        assertThat(objects(table)).as("adding an object makes the fresh ones objects too").isEqualTo(6);
        assertThat(table.checkInvariants()).isTrue();
    }

    /**
     * A scan for one state: due and dead-lettered slots are found among the objects and fresh runs stay
     * runs (the due scan of every poll used to make them objects); only DELIVERED makes them.
     */
    @Test
    void aScanForAStateOtherThanDeliveredLeavesFreshRunsAsRuns() {
        table.add(new DeliverySlot(0, SlotState.DUE, 1));
        table.add(new DeliverySlot(1, SlotState.DELIVERED, 2));
        table.add(new DeliverySlot(2, SlotState.DEAD_LETTER_PENDING, 3));
        table.add(new DeliverySlot(3, SlotState.DUE, 1));
        table.addFresh(4, 6, 1, 100);

        assertThat(table.inState(SlotState.DUE)).extracting(s -> s.offset).containsExactly(0L, 3L);
        assertThat(table.inState(SlotState.DEAD_LETTER_PENDING)).extracting(s -> s.offset).containsExactly(2L);
        assertThat(objects(table)).as("fresh offsets still without objects").isEqualTo(4);

        // States may change as the scan goes: each slot is tested when the scan reaches it.
        for (DeliverySlot s : table.inState(SlotState.DUE)) {
            s.moveTo(SlotState.DELIVERED);
        }
        assertThat(table.count(SlotState.DUE)).isZero();
        assertThat(table.inState(SlotState.DELIVERED)).extracting(s -> s.offset)
                .containsExactly(0L, 1L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(objects(table)).as("DELIVERED includes the fresh offsets: now objects").isEqualTo(10);
        assertThat(table.checkInvariants()).isTrue();
    }

    /** Fresh runs, takes, touches, removals and transitions, against a model of offset to state. */
    @Test
    void randomFreshRunsAndTakesMatchAModel() {
        Random random = new Random(20261207);
        TreeMap<Long, SlotState> states = new TreeMap<>();
        long next = 0;
        long epoch = 1;
        for (int step = 0; step < 5_000; step++) {
            int op = random.nextInt(10);
            if (op < 3 || states.isEmpty()) {
                int n = 1 + random.nextInt(8);
                if (random.nextInt(20) == 0) {
                    epoch++;
                }
                table.addFresh(next, n, epoch, step);
                for (int i = 0; i < n; i++) {
                    states.put(next++, SlotState.DELIVERED);
                }
            } else if (op < 6) {
                long first = states.firstKey();
                long last = first + random.nextInt(10);
                boolean allFreshPossible = states.subMap(first, true, last, true).size() == last - first + 1;
                if (table.takeFresh(first, last, epoch - random.nextInt(2))) {
                    assertThat(allFreshPossible).isTrue();
                    for (long o = first; o <= last; o++) {
                        assertThat(states.remove(o)).isEqualTo(SlotState.DELIVERED);
                    }
                }
            } else if (op < 8) {
                List<Long> offsets = new ArrayList<>(states.keySet());
                long o = offsets.get(random.nextInt(offsets.size()));
                assertThat(table.remove(o).offset).isEqualTo(o);
                states.remove(o);
            } else {
                List<Long> offsets = new ArrayList<>(states.keySet());
                long o = offsets.get(random.nextInt(offsets.size()));
                DeliverySlot s = table.get(o);
                if (s.state().canMoveTo(SlotState.DUE)) {
                    s.moveTo(SlotState.DUE);
                    states.put(o, SlotState.DUE);
                }
            }
            assertThat(table.size()).isEqualTo(states.size());
            if (!states.isEmpty()) {
                assertThat(table.firstOffset()).isEqualTo(states.firstKey());
                assertThat(table.lastOffset()).isEqualTo(states.lastKey());
            }
            if (step % 101 == 0) {
                for (SlotState state : SlotState.values()) {
                    assertThat(table.count(state)).isEqualTo((int) states.values().stream().filter(x -> x == state)
                            .count());
                }
                assertThat(table.checkInvariants()).isTrue();
                List<Long> seen = new ArrayList<>();
                table.forEach(x -> {
                    seen.add(x.offset);
                    assertThat(x.state()).isEqualTo(states.get(x.offset));
                });
                assertThat(seen).containsExactlyElementsOf(states.keySet());
            }
        }
    }

    /** Fresh runs obey the same span bound as slot objects: the delivery window should keep far below it. */
    @Test
    void freshOffsetsBeyondTheSpanBoundAreRefused() {
        table.addFresh(0, 1, 1, 0);
        assertThatThrownBy(() -> table.addFresh(SlotTable.SPAN_MAX, 1, 1, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("SPAN_MAX");
        assertThat(table.size()).as("refused: nothing added").isEqualTo(1);
        table.addFresh(SlotTable.SPAN_MAX - 1, 1, 1, 0); // exactly SPAN_MAX offsets: allowed
        assertThat(table.size()).isEqualTo(2);
    }

    /** One range record covers at most RANGE_OFFSETS_MAX offsets: longer runs are cut, in order, with no gap. */
    @Test
    void runsLongerThanARangeRecordTakesAreCutInOrder() {
        List<long[]> runs = new ArrayList<>();
        long max = GroupRecord.RANGE_OFFSETS_MAX;
        PartitionProgress.recordRuns(5, 5 + 2 * max, (f, l) -> runs.add(new long[] {f, l}));
        assertThat(runs).containsExactly(new long[] {5, 4 + max}, new long[] {5 + max, 4 + 2 * max},
                new long[] {5 + 2 * max, 5 + 2 * max});
        runs.clear();
        PartitionProgress.recordRuns(7, 6 + max, (f, l) -> runs.add(new long[] {f, l}));
        assertThat(runs).as("exactly one record's worth").containsExactly(new long[] {7, 6 + max});
        runs.clear();
        PartitionProgress.recordRuns(3, 3, (f, l) -> runs.add(new long[] {f, l}));
        assertThat(runs).containsExactly(new long[] {3, 3});
    }
}
