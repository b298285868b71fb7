package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.ProcessorStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KafkaSource behaviour beyond the shared contract: SQLite's single instance, loud stops, forced settings. */
class KafkaSourceTest {
    private static KafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    private static ExactlyOnceProcessor processor(JdbcStore store, String topic, String group) {
        return ExactlyOnceProcessor.builder().source(KafkaSourceContractTest.member(kafka, topic, group)).store(store)
                .consumer(group).handler((m, tx) -> { }).inboxRetentionMs(TimeUnit.DAYS.toMillis(1)).build();
    }

    private static void send(String topic, int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of())) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, ("m" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    /** Sends ten records to partition 0 of {@code topic}, runs a processor until it applied them, stops it. */
    private static void processTenAndStop(JdbcStore store, String topic, String group) throws Exception {
        send(topic, 10);
        ExactlyOnceProcessor p = processor(store, topic, group);
        p.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Applied.count(store, group) == 10);
        p.close();
    }

    @Test
    void aSecondInstanceOnOneSqliteStoreIsRefusedUntilTheFirstStops() throws Exception {
        kafka.createTopic("sqlite-one", 1);
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("one.db"))) {
            ExactlyOnceProcessor first = processor(store, "sqlite-one", "g1");
            first.start();
            ExactlyOnceProcessor second = processor(store, "sqlite-one", "g1");
            assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is already used by a Kafka source")
                    .hasMessageContaining("SQLite serves one instance only")
                    .hasMessageContaining("one PostgreSQL store");
            second.close();
            first.close();
            ExactlyOnceProcessor third = processor(store, "sqlite-one", "g1");
            third.start();
            assertThat(third.status().state()).isEqualTo(ProcessorStatus.State.RUNNING);
            third.close();
        }
    }

    @Test
    void aPositionThatRetentionDeletedStopsTheProcessorLoudlyInsteadOfSkipping() throws Exception {
        String topic = "truncated";
        kafka.createTopic(topic, 1);
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("t.db"))) {
            processTenAndStop(store, topic, "g2");
            send(topic, 10);
            // Retention (here: an explicit delete) removes offsets 10..19 before the processor read them.
            kafka.admin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(20))).all()
                    .get(30, TimeUnit.SECONDS);
            ExactlyOnceProcessor again = processor(store, topic, "g2");
            again.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> again.status().state() == ProcessorStatus.State.FAILED);
            assertThat(again.status().lastError()).contains("outside what Kafka holds").contains("position 10")
                    .contains("not in [20, 20]").contains("never skips");
            assertThat(Applied.count(store, "g2")).isEqualTo(10);
            again.close();
        }
    }

    @Test
    void aDeletedConsumerGroupResumesFromTheStoredPositionsWithAHigherClaimEpoch() throws Exception {
        String topic = "regrouped";
        kafka.createTopic(topic, 1);
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("g.db"))) {
            processTenAndStop(store, topic, "g4");
            long epochBefore = store.inTransaction(tx -> tx.lockPosition("g4", topic, 0).orElseThrow().leaseEpoch());
            // Kafka forgets the group (its generation starts over); the store's claim epoch does not.
            kafka.admin().deleteConsumerGroups(java.util.List.of("g4")).all().get(30, TimeUnit.SECONDS);
            send(topic, 5);
            ExactlyOnceProcessor again = processor(store, topic, "g4");
            again.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> Applied.count(store, "g4") == 15);
            assertThat(again.status().processed()).as("resumed at offset 10, not from the start").isEqualTo(5);
            assertThat(again.status().duplicatesSkipped()).isZero();
            io.semel.processor.store.Position pos = store.inTransaction(
                    tx -> tx.lockPosition("g4", topic, 0).orElseThrow());
            assertThat(pos.nextOffset()).isEqualTo(15);
            assertThat(pos.leaseEpoch()).isGreaterThan(epochBefore);
            again.close();
        }
    }

    @Test
    void settingsTheSourceForcesCannotBeOverridden() {
        KafkaSourceBuilder b = KafkaSource.builder(kafka.bootstrap(), "g3", "t");
        assertThatThrownBy(() -> b.consumerProperty("isolation.level", "read_uncommitted"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("isolation.level is fixed");
        assertThatThrownBy(() -> b.consumerProperty("enable.auto.commit", "true"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.consumerProperty("auto.offset.reset", "earliest"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
