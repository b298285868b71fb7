package io.semel.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.processor.SourceMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The poll-side meters: one call per poll must count like one call per message. */
class ProcessorMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProcessorMetrics metrics = new ProcessorMetrics(registry, "billing");

    @Test
    void aPollTellsEachPartitionsLagItsHighestOffsetAndCountsEveryRedelivery() {
        // Interleaved partitions, offsets out of order inside a run, redeliveries in both.
        metrics.polled(List.of(m("orders", 0, 4, 1), m("orders", 0, 9, 2), m("orders", 0, 7, 1), m("orders", 1, 3, 1),
                m("orders", 0, 2, 3), m("payments", 0, 5, 1)));
        metrics.committed("orders", 0, 6);

        assertThat(lag("orders", 0)).isEqualTo(4); // seen up to 9, position 6
        assertThat(lag("orders", 1)).isEqualTo(4);
        assertThat(lag("payments", 0)).isEqualTo(6);
        assertThat(metrics.redeliveryCount()).isEqualTo(2);

        metrics.polled(List.of());
        metrics.polled(List.of(m("orders", 1, 1, 1)));
        assertThat(lag("orders", 1)).as("an older offset does not move the lag back").isEqualTo(4);
        assertThat(metrics.redeliveryCount()).isEqualTo(2);
    }

    private double lag(String topic, int partition) {
        return registry.get("semel.processor.lag").tag("topic", topic).tag("partition", Integer.toString(partition))
                .gauge().value();
    }

    private static SourceMessage m(String topic, int partition, long offset, int deliveryCount) {
        return SourceMessage.of(topic, partition, offset, deliveryCount, 1, null, new byte[0], List.of(), 0);
    }
}
