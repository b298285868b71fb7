package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process KRaft fixture itself: transactions work, and read_committed hides aborted records. */
class KafkaBrokerTest {
    private static KafkaBroker kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void readCommittedSeesCommittedTransactionsAndNotAbortedOnes() throws Exception {
        kafka.createTopic("fixture", 1);
        try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fx"))) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("fixture", 0, null, "kept".getBytes(StandardCharsets.UTF_8)));
            p.commitTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("fixture", 0, null, "aborted".getBytes(StandardCharsets.UTF_8))).get();
            p.abortTransaction();
        }
        assertThat(kafka.readCommitted("fixture", 0)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("kept");
    }
}
