package io.semel.processor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The watermark + ranges set of sequence dedup, against a plain bit set as the model. */
class ProcessedOffsetsTest {

    @Test
    void theWatermarkMovesOverContiguousOffsetsAndStopsAtTheFirstGap() {
        ProcessedOffsets p = ProcessedOffsets.below(0).plus(new long[] {0, 1, 2, 4, 5, 7});
        assertThat(p.watermark()).isEqualTo(3);
        assertThat(p.rangeCount()).isEqualTo(2);
        assertThat(p.contains(3)).as("the gap is not processed").isFalse();
        assertThat(p.contains(6)).isFalse();
        assertThat(p.contains(4)).isTrue();
        assertThat(p.contains(7)).isTrue();
        assertThat(p.contains(8)).isFalse();
        assertThat(p.end()).isEqualTo(8);
        assertThat(p.count()).isEqualTo(6);
        ProcessedOffsets filled = p.plus(new long[] {3});
        assertThat(filled.watermark()).as("filling the gap absorbs the range above it").isEqualTo(6);
        assertThat(filled.plus(new long[] {6})).isEqualTo(ProcessedOffsets.below(8));
    }

    @Test
    void aWatermarkIsNeverAdvancedPastAnUnprocessedOffset() {
        // Acks out of order: everything but offset 10 of 0..99 arrives, in random batches.
        Random r = new Random(7);
        ProcessedOffsets p = ProcessedOffsets.below(0);
        for (int batch = 0; batch < 20; batch++) {
            long[] offsets = r.longs(10, 0, 100).filter(o -> o != 10).toArray();
            p = p.plus(offsets);
        }
        p = p.plus(java.util.stream.LongStream.range(0, 100).filter(o -> o != 10).toArray());
        assertThat(p.watermark()).isEqualTo(10);
        assertThat(p.contains(10)).isFalse();
        assertThat(p.rangeCount()).isEqualTo(1);
        assertThat(p.plus(new long[] {10})).isEqualTo(ProcessedOffsets.below(100));
    }

    @Test
    void containsAgreesWithABitSetForRandomOffsetsAndSurvivesEncoding() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            long start = r.nextInt(5);
            BitSet model = new BitSet();
            model.set(0, (int) start);
            ProcessedOffsets p = ProcessedOffsets.below(start);
            for (int batch = 0; batch < 1 + r.nextInt(6); batch++) {
                long[] offsets = r.longs(1 + r.nextInt(8), 0, 60).toArray();
                for (long o : offsets) {
                    model.set((int) o);
                }
                p = p.plus(offsets);
            }
            for (int o = 0; o < 70; o++) {
                assertThat(p.contains(o)).as("offset %d of %s", o, p).isEqualTo(model.get(o));
            }
            assertThat(p.watermark()).isEqualTo(model.nextClearBit(0));
            assertThat(p.count()).isEqualTo(model.cardinality());
            assertThat(ProcessedOffsets.decode(p.watermark(), p.encodeRanges())).isEqualTo(p);
        }
    }

    @Test
    void damagedStoredRangesAreRefusedNotGuessed() {
        byte[] overlapping = ProcessedOffsets.below(0).plus(new long[] {5, 9}).encodeRanges();
        assertThatThrownBy(() -> ProcessedOffsets.decode(6, overlapping)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("damaged");
        assertThatThrownBy(() -> ProcessedOffsets.decode(0, new byte[5])).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a multiple of 16");
    }

    @Test
    void moreRangesThanTheLimitAreRefusedWithTheLimitNamed() {
        long[] everyOther = java.util.stream.LongStream.range(0, StoreLimits.SEQUENCE_RANGES_MAX + 1L)
                .map(i -> 2 * i + 1).toArray();
        assertThatThrownBy(() -> ProcessedOffsets.below(0).plus(everyOther)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SEQUENCE_RANGES_MAX " + StoreLimits.SEQUENCE_RANGES_MAX)
                .hasMessageContaining("Dedup.MESSAGE_ID");
        assertThat(ProcessedOffsets.below(0).plus(java.util.Arrays.copyOf(everyOther, StoreLimits.SEQUENCE_RANGES_MAX))
                .rangeCount()).isEqualTo(StoreLimits.SEQUENCE_RANGES_MAX);
    }
}
