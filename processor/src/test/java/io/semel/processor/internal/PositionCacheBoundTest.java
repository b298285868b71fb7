package io.semel.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.store.ProcessedOffsets;
import io.semel.processor.store.SequencePosition;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cache's partition bound ({@link PositionCache#PARTITIONS_MAX}): past it, the cache starts over. */
class PositionCacheBoundTest {
    private static Map<Batches.TopicPartition, SequencePosition> row(int partition) {
        return Map.of(new Batches.TopicPartition("t", partition),
                new SequencePosition("t", partition, 10, 1, ProcessedOffsets.below(10), 0));
    }

    @Test
    void committingPastThePartitionBoundStartsTheCacheOver() {
        PositionCache cache = new PositionCache();
        for (int p = 0; p < PositionCache.PARTITIONS_MAX; p++) {
            cache.committed(row(p));
        }
        assertThat(cache.view()).hasSize(PositionCache.PARTITIONS_MAX);
        cache.committed(row(PositionCache.PARTITIONS_MAX));
        assertThat(cache.view()).hasSize(1).containsOnlyKeys(new Batches.TopicPartition("t", PositionCache.PARTITIONS_MAX));
    }
}
