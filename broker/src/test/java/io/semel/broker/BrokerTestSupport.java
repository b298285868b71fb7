package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.CreateTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts a broker on an ephemeral port over a temporary data directory; closes it after each test. */
abstract class BrokerTestSupport {
    @TempDir
    Path dataDir;

    Broker broker;

    BrokerConfig.Builder configBuilder() {
        return BrokerConfig.builder(dataDir).port(0).ioThreads(2).segmentBytes(64 * 1024).shutdownTimeoutMs(5_000);
    }

    Broker startBroker() throws IOException {
        return startBroker(configBuilder().build());
    }

    Broker startBroker(BrokerConfig config) throws IOException {
        broker = Broker.start(config);
        return broker;
    }

    Broker restartBroker() throws IOException {
        broker.close();
        return startBroker();
    }

    @AfterEach
    void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static void createTopic(TestClient c, String name, int partitions) throws IOException {
        CreateTopic.Response r = c.call(new CreateTopic.Request(name, partitions), CreateTopic.Response.class);
        assertThat(r.error()).as("create %s: %s", name, r.errorMessage()).isEqualTo(ErrorCode.NONE);
    }

    /** Every value in the partition from offset 0, fetched until the end. */
    static List<RecordBatch> fetchAll(TestClient c, String topic, int partition) throws IOException {
        List<RecordBatch> all = new ArrayList<>();
        long offset = 0;
        while (true) {
            Fetch.Response r = c.call(new Fetch.Request(topic, partition, offset, 1 << 20, 0), Fetch.Response.class);
            assertThat(r.error()).as("fetch: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
            if (r.batches().isEmpty()) {
                return all;
            }
            for (RecordBatch b : r.batches()) {
                if (b.nextOffset() > offset) {
                    all.add(b);
                    offset = b.nextOffset();
                }
            }
        }
    }
}
