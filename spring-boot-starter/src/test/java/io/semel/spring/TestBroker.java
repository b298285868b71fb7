package io.semel.spring;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Semel broker in-process on a loopback port, with short group settings so redelivery takes
 * seconds (the processor module's BrokerFixture values). Not thread-safe; one per test class.
 */
final class TestBroker implements AutoCloseable {
    static final long ACK_TIMEOUT_MS = 1_500;
    static final int MAX_DELIVERIES = 3;
    static final long NACK_BACKOFF_MAX_MS = 100;

    private final Broker broker;

    private TestBroker(Broker broker) {
        this.broker = broker;
    }

    static TestBroker start(Path dataDir) throws IOException {
        return new TestBroker(Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).segmentBytes(256 * 1024)
                .shutdownTimeoutMs(5_000).groupTickMs(20).sessionTimeoutMinMs(200).ackTimeoutMs(ACK_TIMEOUT_MS)
                .maxDeliveries(MAX_DELIVERIES).nackBackoffMs(20).nackBackoffMaxMs(NACK_BACKOFF_MAX_MS).build()));
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    /** Properties that point the starter at this broker with its group settings. */
    String[] properties() {
        return new String[] {"semel.broker=" + bootstrap(), "semel.processor.broker-ack-timeout-ms=" + ACK_TIMEOUT_MS,
            "semel.processor.broker-max-deliveries=" + MAX_DELIVERIES,
            "semel.processor.broker-nack-backoff-max-ms=" + NACK_BACKOFF_MAX_MS,
            "semel.processor.session-timeout-ms=3000", "semel.processor.inbox-retention-ms=3600000"};
    }

    void createTopic(String name, int partitions) {
        try (Admin admin = Admin.builder(bootstrap()).build()) {
            admin.createTopic(name, partitions);
        }
    }

    /** Sends each value (UTF-8, keyed by its text before ':') and waits for every confirmation. */
    void produce(String topic, List<String> values) throws Exception {
        try (Producer p = Producer.builder(bootstrap()).build()) {
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (String v : values) {
                sent.add(p.send(topic, v.substring(0, v.indexOf(':')).getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
    }

    /** Every record of every partition of the topic. */
    List<PartitionRecord> readAll(String topic) {
        List<PartitionRecord> all = new ArrayList<>();
        try (PartitionReader r = PartitionReader.builder(bootstrap()).build()) {
            int n = r.partitionCount(topic);
            for (int p = 0; p < n; p++) {
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
