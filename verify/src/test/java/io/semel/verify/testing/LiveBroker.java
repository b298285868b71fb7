package io.semel.verify.testing;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.protocol.Header;
import io.semel.verify.run.AddMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real broker in this JVM on an ephemeral loopback port (real files with fsync, real TCP), for tests that
 * need the broker's real answers without a child JVM. Not thread-safe; one per test.
 */
public final class LiveBroker implements AutoCloseable {
    /** Long enough that nothing is redelivered by timeout during a test. */
    public static final long ACK_TIMEOUT_MS = 60_000;

    private final Broker broker;

    private LiveBroker(Broker broker) {
        this.broker = broker;
    }

    public static LiveBroker start(Path dataDir) throws IOException {
        return new LiveBroker(Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2)
                .ackTimeoutMs(ACK_TIMEOUT_MS).shutdownTimeoutMs(5_000).build()));
    }

    public String bootstrap() {
        return broker.host() + ":" + broker.port();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.port());
    }

    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.builder(bootstrap()).build()) {
            admin.createTopic(name, partitions);
        }
    }

    /** Sends each message with its id header through an at-least-once producer and waits for each. */
    public void produce(String topic, List<AddMessage> messages) throws Exception {
        try (Producer p = Producer.builder(bootstrap()).guarantee(DeliveryGuarantee.AT_LEAST_ONCE).build()) {
            for (AddMessage m : messages) {
                p.send(topic, m.encodeKey(), m.encodeValue(), List.of(Header.of(AddMessage.ID_HEADER, m.id())))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Every record of one partition, from offset 0, read by a fresh reader. */
    public List<PartitionRecord> drain(String topic, int partition) {
        try (PartitionReader reader = PartitionReader.builder(bootstrap()).build()) {
            return new ArrayList<>(reader.readToEnd(topic, partition, 0, 100_000));
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
