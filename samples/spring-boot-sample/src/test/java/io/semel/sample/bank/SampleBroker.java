package io.semel.sample.bank;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Semel broker in-process on a loopback port with short group settings (redelivery in
 * seconds), and the topics the bank uses. Not thread-safe.
 */
final class SampleBroker implements AutoCloseable {
    static final long ACK_TIMEOUT_MS = 2_000;
    static final int MAX_DELIVERIES = 3;
    static final long NACK_BACKOFF_MAX_MS = 100;

    private final Broker broker;

    private SampleBroker(Broker broker) {
        this.broker = broker;
    }

    static SampleBroker start(Path dataDir) throws IOException {
        SampleBroker b = new SampleBroker(Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2)
                .shutdownTimeoutMs(5_000).groupTickMs(20).sessionTimeoutMinMs(200).ackTimeoutMs(ACK_TIMEOUT_MS)
                .maxDeliveries(MAX_DELIVERIES).nackBackoffMs(20).nackBackoffMaxMs(NACK_BACKOFF_MAX_MS).build()));
        try (Admin admin = Admin.builder(b.bootstrap()).build()) {
            admin.createTopic(DepositHandler.DEPOSITS, 4);
            admin.createTopic(DepositHandler.RECEIPTS, 2);
        }
        return b;
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    /** The application's settings for this broker and a SQLite file. */
    String[] properties(Path db) {
        return new String[] {"semel.broker=" + bootstrap(), "spring.datasource.url=jdbc:sqlite:" + db,
            "semel.processor.broker-ack-timeout-ms=" + ACK_TIMEOUT_MS,
            "semel.processor.broker-max-deliveries=" + MAX_DELIVERIES,
            "semel.processor.broker-nack-backoff-max-ms=" + NACK_BACKOFF_MAX_MS,
            "semel.processor.session-timeout-ms=3000", "semel.processor.batch-size=50"};
    }

    List<PartitionRecord> readAll(String topic) {
        List<PartitionRecord> all = new ArrayList<>();
        try (PartitionReader r = PartitionReader.builder(bootstrap()).build()) {
            for (int p = 0; p < r.partitionCount(topic); p++) {
                all.addAll(r.readToEnd(topic, p, 0, 1_000_000));
            }
        }
        return all;
    }

    @Override
    public void close() {
        broker.close();
    }
}
