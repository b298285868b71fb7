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
}
