package io.semel.processor.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.internal.Connection;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real in-process broker on an ephemeral port, with topic creation and full reads for tests. */
public final class TestBroker implements AutoCloseable {
    /** The broker's record limit in these tests, bytes. */
    public static final int MAX_RECORD_BYTES = 128 * 1024;
    private final Broker broker;

    public TestBroker(Path dataDir) throws IOException {
        // maxRecordBytes below the store's payload limit, so an outbox row can be too large for the broker.
        broker = Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).segmentBytes(256 * 1024)
                .maxRecordBytes(MAX_RECORD_BYTES)
                .shutdownTimeoutMs(5_000).build());
    }

    public String bootstrap() {
        return broker.host() + ":" + broker.port();
    }

    public void createTopic(String topic, int partitions) throws Exception {
        ConnectionSettings s = new ConnectionSettings(broker.host(), broker.port(), "test-admin", io.semel.client.ClientSecurity.NONE,
                10_000, 10_000, 50, 1_000);
        try (Connection c = Connection.open(s)) {
            CreateTopic.Response r = (CreateTopic.Response) c.send(new CreateTopic.Request(topic, partitions), 0)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.error()).as("create %s: %s", topic, r.errorMessage()).isEqualTo(ErrorCode.NONE);
        }
    }

    /** Every record of every partition of {@code topic}, partition by partition. */
    public List<List<PartitionRecord>> readAll(String topic) {
        try (PartitionReader r = PartitionReader.builder(bootstrap()).build()) {
            List<List<PartitionRecord>> out = new ArrayList<>();
            for (int p = 0; p < r.partitionCount(topic); p++) {
                out.add(r.readToEnd(topic, p, 0, 1_000_000));
            }
            return out;
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
