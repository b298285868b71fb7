package io.semel.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.SourceMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-partition summaries of a batch, computed run by run: they must equal a per-message fold. */
class BatchesTest {

    @Test
    void interleavedRunsOfAPartitionGiveItsHighestNextOffsetLowestEpochAndEveryOffset() {
        // Partition 0 comes back after partition 1 and topic "b", with an older epoch and a lower offset.
        List<SourceMessage> batch = List.of(m("a", 0, 5, 3), m("a", 0, 9, 3), m("a", 1, 2, 4), m("b", 0, 7, 1),
                m("a", 0, 4, 2), m("a", 0, 9, 3), m("a", 1, 3, 4));

        Map<Batches.TopicPartition, Batches.Advance> advances = Batches.advances(batch);
        assertThat(advances.keySet()).containsExactly(tp("a", 0), tp("a", 1), tp("b", 0)); // lock order
        assertThat(advances.get(tp("a", 0))).isEqualTo(new Batches.Advance(10, 2));
        assertThat(advances.get(tp("a", 1))).isEqualTo(new Batches.Advance(4, 4));
        assertThat(advances.get(tp("b", 0))).isEqualTo(new Batches.Advance(8, 1));

        Map<Batches.TopicPartition, long[]> offsets = Batches.offsets(batch);
        assertThat(offsets).hasSize(3);
        assertThat(offsets.get(tp("a", 0))).containsExactly(5, 9, 4, 9);
        assertThat(offsets.get(tp("a", 1))).containsExactly(2, 3);
        assertThat(offsets.get(tp("b", 0))).containsExactly(7);
    }

    @Test
    void aRunLongerThanTheFirstArrayKeepsEveryOffset() {
        List<SourceMessage> batch = new java.util.ArrayList<>();
        for (int o = 0; o < 1_000; o++) {
            batch.add(m("a", 0, o, 1));
        }
        assertThat(Batches.offsets(batch).get(tp("a", 0))).hasSize(1_000).startsWith(0, 1).endsWith(998, 999);
        assertThat(Batches.advances(batch)).containsExactly(Map.entry(tp("a", 0), new Batches.Advance(1_000, 1)));
    }

    private static Batches.TopicPartition tp(String topic, int partition) {
        return new Batches.TopicPartition(topic, partition);
    }

    private static SourceMessage m(String topic, int partition, long offset, long epoch) {
        return SourceMessage.of(topic, partition, offset, 1, epoch, null, new byte[0], List.of(), 0);
    }
}
