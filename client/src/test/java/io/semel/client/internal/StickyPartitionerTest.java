package io.semel.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class StickyPartitionerTest {
    private static final int HEADER = RecordBatch.HEADER_BYTES;

    @Test
    void aStickTakesRecordsUntilTheNextWouldNotFitTheBudgetThenReportsItFull() {
        // Budget for exactly 9 records of 100 bytes behind the batch header.
        StickyPartitioner sp = new StickyPartitioner(4, HEADER + 900, new Random(1));
        int first = sp.choose(100).partition();
        for (int i = 1; i < 9; i++) {
            StickyPartitioner.Choice c = sp.choose(100);
            assertThat(c.partition()).as("record %d", i).isEqualTo(first);
            assertThat(c.leftFull()).isEqualTo(-1);
        }
        StickyPartitioner.Choice tenth = sp.choose(100);
        assertThat(tenth.partition()).isNotEqualTo(first);
        assertThat(tenth.leftFull()).as("the stick that ran out of room").isEqualTo(first);
    }

    @Test
    void aRecordLargerThanTheBudgetGetsAStickOfItsOwn() {
        StickyPartitioner sp = new StickyPartitioner(3, 1_000, new Random(4));
        int small = sp.choose(10).partition();
        StickyPartitioner.Choice big = sp.choose(5_000);
        assertThat(big.partition()).isNotEqualTo(small);
        assertThat(big.leftFull()).isEqualTo(small);
        StickyPartitioner.Choice after = sp.choose(10);
        assertThat(after.partition()).isNotEqualTo(big.partition());
        assertThat(after.leftFull()).isEqualTo(big.partition());
    }

    @Test
    void onePartitionIsNeverReportedFullToItself() {
        StickyPartitioner sp = new StickyPartitioner(1, HEADER + 100, new Random(5));
        for (int i = 0; i < 10; i++) {
            StickyPartitioner.Choice c = sp.choose(100);
            assertThat(c.partition()).isZero();
            assertThat(c.leftFull()).isEqualTo(-1);
        }
    }

    @Test
    void theSameSeedReplaysTheSameChoices() {
        assertThat(sticks(new StickyPartitioner(8, HEADER + 100, new Random(42)), 200))
                .isEqualTo(sticks(new StickyPartitioner(8, HEADER + 100, new Random(42)), 200));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new StickyPartitioner(0, 100, new Random())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StickyPartitioner(2, 0, new Random())).isInstanceOf(IllegalArgumentException.class);
    }

    /** One record per stick (budget = header + one record), so each choice is a new stick. */
    private static List<Integer> sticks(StickyPartitioner sp, int count) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(sp.choose(100).partition());
        }
        return out;
    }

    @Property
    void everyRoundOfSticksVisitsEveryPartitionOnceAndNoStickFollowsItself(
            @ForAll @IntRange(min = 1, max = 16) int partitions, @ForAll @IntRange(min = 1, max = 20) int rounds,
            @ForAll long seed) {
        List<Integer> s = sticks(new StickyPartitioner(partitions, HEADER + 100, new Random(seed)), partitions * rounds);
        for (int r = 0; r < rounds; r++) {
            assertThat(s.subList(r * partitions, (r + 1) * partitions)).as("round %d", r)
                    .containsExactlyInAnyOrderElementsOf(range(partitions));
        }
        for (int i = 1; i < s.size() && partitions > 1; i++) {
            assertThat(s.get(i)).as("stick %d", i).isNotEqualTo(s.get(i - 1));
        }
    }

    /**
     * Records of random sizes: in the long run each partition gets its share of the bytes. Sticks are
     * dealt evenly per round and each holds between budget - 420 and budget bytes (a record is at most
     * 419), so after many rounds the partitions differ by at most about one stick.
     */
    @Property(tries = 50)
    void keylessBytesAreSpreadEvenlyInTheLongRun(@ForAll @IntRange(min = 2, max = 12) int partitions,
            @ForAll long seed) {
        Random workload = new Random(seed);
        int budget = 16 * 1024;
        StickyPartitioner sp = new StickyPartitioner(partitions, budget, new Random(seed ^ 0x5DEECE66DL));
        long[] bytes = new long[partitions];
        long total = 0;
        for (int i = 0; i < 400_000; i++) {
            int size = 20 + workload.nextInt(400);
            int p = sp.choose(size).partition();
            bytes[p] += size;
            total += size;
        }
        double mean = (double) total / partitions;
        for (int p = 0; p < partitions; p++) {
            assertThat(Math.abs(bytes[p] - mean)).as("partition %d of %d: %d bytes, mean %.0f", p, partitions,
                    bytes[p], mean).isLessThan(2.0 * budget);
        }
    }

    @Property
    void aStickNeverHoldsMoreThanTheBudgetUnlessOneRecordDoes(@ForAll @IntRange(min = 2, max = 8) int partitions,
            @ForAll @IntRange(min = 100, max = 5_000) int budget, @ForAll long seed) {
        Random workload = new Random(seed);
        StickyPartitioner sp = new StickyPartitioner(partitions, budget, new Random(seed));
        int current = -1;
        long held = 0;
        int records = 0;
        for (int i = 0; i < 2_000; i++) {
            int size = 1 + workload.nextInt(600);
            StickyPartitioner.Choice c = sp.choose(size);
            if (c.partition() != current) {
                assertThat(c.leftFull()).isEqualTo(current);
                assertThat(current < 0 || held + size > budget).as("left %d holding %d of %d for a %d-byte record",
                        current, held, budget, size).isTrue();
                current = c.partition();
                held = HEADER;
                records = 0;
            }
            held += size;
            records++;
            assertThat(held <= budget || records == 1).as("stick on %d holds %d of %d", current, held, budget).isTrue();
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
