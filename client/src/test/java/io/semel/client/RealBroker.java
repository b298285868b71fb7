package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.internal.Connection;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real in-process broker on an ephemeral port over {@code dataDir}, for integration tests. */
final class RealBroker implements AutoCloseable {
    final Broker broker;

    RealBroker(Path dataDir) throws IOException {
        broker = Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).segmentBytes(64 * 1024)
                .shutdownTimeoutMs(5_000).build());
    }

    String bootstrap() {
        return broker.host() + ":" + broker.port();
    }

    void createTopic(String topic, int partitions) throws Exception {
        ConnectionSettings s = new ConnectionSettings(broker.host(), broker.port(), "test-admin", null, null,
                10_000, 10_000, 50, 1_000);
        try (Connection c = Connection.open(s)) {
            CreateTopic.Response r = (CreateTopic.Response) c.send(new CreateTopic.Request(topic, partitions), 0)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.error()).as("create %s: %s", topic, r.errorMessage()).isEqualTo(ErrorCode.NONE);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
