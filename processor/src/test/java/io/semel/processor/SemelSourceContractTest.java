package io.semel.processor;

import io.semel.client.Consumer;
import io.semel.client.Producer;
import io.semel.processor.store.JdbcStore;
import io.semel.protocol.LogRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;

/** The source contract over the Semel broker (one real broker on loopback for the class) and {@link SemelSource}. */
class SemelSourceContractTest extends SourceContractTest {
    private static SemelEngine shared;

    @Override
    protected SourceEngine engine() throws Exception {
        if (shared == null) {
            shared = new SemelEngine(BrokerFixture.start(Files.createTempDirectory("semel-source-contract")));
        }
        return shared;
    }

    @AfterAll
    static void stopEngine() throws Exception {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private record SemelEngine(BrokerFixture broker) implements SourceEngine {

        @Override
        public void createTopic(String topic, int partitions) {
            try {
                broker.createTopic(topic, partitions);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Source member(String topic, String group) {
            return new SemelSource(Consumer.builder(broker.bootstrap()).group(group).topic(topic).sessionTimeoutMs(3_000)
                    .maxPollMessages(100).nackBackoffMs((int) BrokerFixture.NACK_BACKOFF_MS).build(),
                    BrokerFixture.REDELIVERY);
        }

        @Override
        public void send(String topic, List<Outgoing> records) {
            try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
                List<CompletableFuture<?>> fs = new ArrayList<>();
                for (Outgoing r : records) {
                    fs.add(producer.send(topic, r.key(), r.value(), r.headers()));
                }
                producer.flush();
                fs.forEach(CompletableFuture::join);
            }
        }

        @Override
        public List<DeadLetterCopy> deadLetters(JdbcStore store, String topic) throws Exception {
            List<DeadLetterCopy> out = new ArrayList<>();
            for (LogRecord r : broker.readAll(topic + ".dlq", 0)) {
                String error = r.headers().stream().filter(h -> h.key().equals("semel.dlq.error"))
                        .map(h -> h.valueAsString()).findFirst().orElse(null);
                out.add(new DeadLetterCopy(r.value(), error));
            }
            return out;
        }

        @Override
        public int maxDeliveries() {
            return BrokerFixture.MAX_DELIVERIES;
        }

        @Override
        public void expel(Source member) {
            // The Semel consumer heartbeats from its own thread, so a stalled poll keeps the lease: leave.
            member.close();
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}
