package io.semel.kafka;

import io.semel.processor.PausingSource;
import io.semel.processor.Source;
import io.semel.processor.SourceContractTest;
import io.semel.processor.SourceEngine;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;

/**
 * The processor's source contract ({@link SourceContractTest}, unchanged) over {@link KafkaSource} and
 * an in-process single-node KRaft broker shared by the class. Dead letters are the processor's own:
 * outbox rows to {@code <topic>.dlq}.
 */
class KafkaSourceContractTest extends SourceContractTest {
    /** Deliveries before dead-lettering, as in the Semel variant. */
    static final int MAX_DELIVERIES = 3;
    /** A stalled member leaves the group after this; short so the zombie test takes seconds. */
    static final int MAX_POLL_INTERVAL_MS = 4_000;
    static final int SESSION_TIMEOUT_MS = 3_000;

    private static KafkaEngine shared;

    @Override
    protected SourceEngine engine() throws Exception {
        if (shared == null) {
            shared = new KafkaEngine(KafkaBroker.start());
        }
        return shared;
    }

    @AfterAll
    static void stopEngine() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    /**
     * Kafka only: a static member ({@code group.instance.id}) restarted while its old incarnation holds
     * a batch. Kafka hands the new incarnation the partition without a new generation, so a
     * generation-based fence would let the old one commit; the claim epoch refuses it.
     */
    @org.junit.jupiter.api.Test
    public void aStaticMemberRestartedWhileItsOldIncarnationHoldsABatchFencesTheOldOne() throws Exception {
        engine.createTopic(topic, 1);
        KafkaBroker kafka = ((KafkaEngine) engine).kafka();
        PausingSource old = new PausingSource(KafkaSource.builder(kafka.bootstrap(), group, topic)
                .sessionTimeoutMs(SESSION_TIMEOUT_MS).maxPollIntervalMs(60_000)
                .consumerProperty("group.instance.id", "instance-1").build());
        io.semel.processor.ExactlyOnceProcessor a = started(processor(old, increment()).build());
        sendIncrements(40, 11);
        org.assertj.core.api.Assertions.assertThat(old.holding.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        io.semel.processor.ExactlyOnceProcessor b = started(processor(KafkaSource.builder(kafka.bootstrap(), group,
                topic).sessionTimeoutMs(SESSION_TIMEOUT_MS).consumerProperty("group.instance.id", "instance-1").build(),
                increment()).build());
        awaitProcessed(40);
        old.release.countDown();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> a.status().fencedBatches() >= 1);
        org.assertj.core.api.Assertions.assertThat(a.status().processed()).isZero();
        org.assertj.core.api.Assertions.assertThat(b.status().processed()).isEqualTo(40);
        org.assertj.core.api.Assertions.assertThat(balances()).isEqualTo(expected);
    }

    static KafkaSource member(KafkaBroker kafka, String topic, String group) {
        return KafkaSource.builder(kafka.bootstrap(), group, topic).maxDeliveries(MAX_DELIVERIES).nackBackoffMs(20)
                .nackBackoffMaxMs(100).sessionTimeoutMs(SESSION_TIMEOUT_MS).maxPollIntervalMs(MAX_POLL_INTERVAL_MS)
                .maxPollRecords(100).build();
    }

    record KafkaEngine(KafkaBroker kafka) implements SourceEngine {

        @Override
        public void createTopic(String topic, int partitions) {
            kafka.createTopic(topic, partitions);
        }

        @Override
        public Source member(String topic, String group) {
            return KafkaSourceContractTest.member(kafka, topic, group);
        }

        @Override
        public void send(String topic, List<Outgoing> records) {
            try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of())) {
                List<Future<?>> fs = new ArrayList<>();
                for (Outgoing o : records) {
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, o.key(), o.value());
                    o.headers().forEach(h -> r.headers().add(new RecordHeader(h.key(), h.value())));
                    fs.add(p.send(r));
                }
                p.flush();
                for (Future<?> f : fs) {
                    f.get(); // confirmed, or the test fails here
                }
            } catch (Exception e) {
                throw new IllegalStateException("sending to " + topic + " failed: " + e, e);
            }
        }

        @Override
        public List<DeadLetterCopy> deadLetters(JdbcStore store, String topic) {
            List<DeadLetterCopy> out = new ArrayList<>();
            for (OutboxRow row : store.pendingOutbox(0, 10_000)) {
                if (row.message().topic().equals(topic + ".dlq")) {
                    String error = row.message().headers().stream().filter(h -> h.key().equals("semel.dlq.error"))
                            .map(h -> h.valueAsString()).findFirst().orElse(null);
                    out.add(new DeadLetterCopy(row.message().value(), error));
                }
            }
            return out;
        }

        @Override
        public int maxDeliveries() {
            return MAX_DELIVERIES;
        }

        @Override
        public void expel(Source member) {
            // Nothing: the stalled member's max.poll.interval.ms runs out and it leaves the group itself.
        }

        @Override
        public void close() {
            try {
                kafka.close();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
