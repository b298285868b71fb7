package io.semel.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Producer;
import io.semel.log.producer.ProducerStateTable;
import org.junit.jupiter.api.Test;

/**
 * Limits the client and the broker each state as "the other side's": only this module sees both
 * (the client never depends on the log), so the pairing is checked here.
 */
class ClientBrokerLimitsTest {
    @Test
    void theProducersInFlightLimitIsTheBrokersDedupWindow() {
        // A resend of a batch that fell out of the broker's retained window would still be a duplicate,
        // but answered without its original offsets (docs/client.md, DESIGN.md §3).
        assertThat(Producer.IN_FLIGHT_BATCHES_LIMIT).isEqualTo(ProducerStateTable.BATCHES_RETAINED_MAX);
    }
}
