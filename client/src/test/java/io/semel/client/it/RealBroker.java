package io.semel.client.it;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A real broker, in-process, on an ephemeral loopback port over a test's temporary directory. The
 * client's minimal equivalent of the broker module's BrokerTestSupport (test sources are not shared
 * between modules). Not thread-safe; one per test.
 */
public final class RealBroker implements AutoCloseable {
    final Broker broker;

    private RealBroker(Broker broker) {
        this.broker = broker;
    }

    public static RealBroker start(Path dataDir) throws IOException {
        return start(dataDir, 1024 * 1024);
    }

    public static RealBroker start(Path dataDir, int segmentBytes) throws IOException {
        return start(BrokerConfig.builder(dataDir).segmentBytes(segmentBytes));
    }

    /** A broker with {@code config}'s settings, on a free port with two event loops. */
    public static RealBroker start(BrokerConfig.Builder config) throws IOException {
        return new RealBroker(Broker.start(config.port(0).ioThreads(2).shutdownTimeoutMs(5_000).build()));
    }

    public String bootstrap() {
        return broker.host() + ":" + broker.port();
    }

    public int port() {
        return broker.port();
    }

    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.builder(bootstrap()).build()) {
            admin.createTopic(name, partitions);
        }
    }

    /** Records in the topic: the sum over partitions of nextOffset - startOffset. */
    public long recordCount(String topic) {
        try (Admin admin = Admin.builder(bootstrap()).build()) {
            return admin.describeTopic(topic).stream().mapToLong(p -> p.nextOffset() - p.startOffset()).sum();
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
