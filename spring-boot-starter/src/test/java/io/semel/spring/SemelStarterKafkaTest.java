package io.semel.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.semel.kafka.KafkaBroker;
import io.semel.spring.internal.KafkaSourceFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.sqlite.SQLiteDataSource;

/**
 * {@code semel.source=kafka}: the same handler bean consumes from a real single-node Kafka (KRaft,
 * in this JVM, from the kafka module's test-jar) and the outbox is relayed to Kafka transactionally.
 */
class SemelStarterKafkaTest {
    @TempDir
    static Path dir;
    private static KafkaBroker kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopic(Bank.DEPOSITS, 3);
        kafka.createTopic(Bank.RECEIPTS, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void depositsFromKafkaAreAppliedOnceAndReceiptsAreRelayedToKafkaOnce() throws Exception {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("kafka-bank.db"));
        Bank.createSchema(ds);
        List<String> deposits = Bank.deposits(0, 150, 5);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SemelKafkaAutoConfiguration.class, SemelAutoConfiguration.class,
                        SemelHealthAutoConfiguration.class))
                .withBean(DataSource.class, () -> ds).withBean(Bank.Deposits.class)
                .withPropertyValues("semel.source=kafka", "semel.kafka.bootstrap-servers=" + kafka.bootstrap(),
                        "semel.kafka.session-timeout-ms=6000", "semel.kafka.relay-progress-replication-factor=1",
                        "semel.relay.relay-name=kafka-bank")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(SemelSourceFactory.class)).isInstanceOf(KafkaSourceFactory.class);
                    try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of())) {
                        List<Future<?>> sent = new ArrayList<>();
                        for (String d : deposits) {
                            sent.add(p.send(new ProducerRecord<>(Bank.DEPOSITS, d.substring(0, d.indexOf(':'))
                                    .getBytes(StandardCharsets.UTF_8), d.getBytes(StandardCharsets.UTF_8))));
                        }
                        for (Future<?> f : sent) {
                            f.get(30, TimeUnit.SECONDS);
                        }
                    }
                    await().atMost(Duration.ofSeconds(90)).until(() -> Bank.balances(ds).equals(Bank.expected(deposits)));
                    await().atMost(Duration.ofSeconds(90)).until(() -> receipts().size() >= deposits.size());
                    List<ConsumerRecord<byte[], byte[]>> receipts = receipts();
                    Set<String> ids = receipts.stream().map(r -> new String(r.headers().lastHeader("semel.id").value(),
                            StandardCharsets.UTF_8)).collect(Collectors.toSet());
                    assertThat(receipts).hasSize(deposits.size());
                    assertThat(ids).hasSize(deposits.size());
                    assertThat(ctx.getBean(SemelOutbox.class).describe()).get().asString().contains("to Kafka");
                });
    }

    private static List<ConsumerRecord<byte[], byte[]>> receipts() {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            all.addAll(kafka.readCommitted(Bank.RECEIPTS, p));
        }
        return all;
    }
}
