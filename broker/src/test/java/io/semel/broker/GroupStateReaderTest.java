package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.GroupConfig;
import io.semel.broker.group.GroupRegistry;
import io.semel.broker.group.GroupState;
import io.semel.protocol.Delivery;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * {@code semel inspect}'s view of a group log is what the broker would rebuild: read on a running
 * broker's directory (as after a crash), offsets below the delivery horizon and the partition's end
 * on disk count one delivery, and nothing at or above that end does.
 */
class GroupStateReaderTest extends BrokerTestSupport {
    private static final String T = ConsumerGroupTest.T; // the topic its produce() writes
    private static final String G = "reader-group";

    @Test
    void offsetsBelowTheHorizonAndTheEndOnDiskCountOneDelivery() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            BrokerTestSupport.createTopic(c, T, 1);
            ConsumerGroupTest.produce(c, 1, 10);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = c.deliveries(G, m, 3, 1_000); // records a horizon 4,096 ahead, beyond the end
            assertThat(got).hasSize(3);

            GroupRegistry read = GroupStateReader.read(dataDir, GroupConfig.defaults());
            GroupState g = read.group(G).orElseThrow();
            assertThat(g.inFlight(0).keySet()).as("0..2 delivered, 3..9 below the horizon and the end: all in flight")
                    .containsExactlyElementsOf(LongStream.range(0, 10).boxed().toList());
            assertThat(g.inFlight(0).values()).containsOnly(1);
        }
    }
}
