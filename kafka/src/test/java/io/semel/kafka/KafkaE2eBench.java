package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not part of the default suite: exactly-once Kafka → SQLite through the processor
 * against a plain at-least-once Kafka consumer writing the same rows (one SQLite transaction per
 * poll, then commitSync), same batch size, same SQLite settings (WAL, synchronous=FULL). Run:
 * {@code mvn -B -pl kafka -am verify -Dtest=KafkaE2eBench -Dsurefire.failIfNoSpecifiedTests=false -Dsemel.bench=true}
 * (records with {@code -Dsemel.bench.records=N}, default 100,000). Prints one line per cell.
 */
@EnabledIfSystemProperty(named = "semel.bench", matches = "true")
class KafkaE2eBench {
    private static final int RECORDS = Integer.getInteger("semel.bench.records", 100_000);
    private static final int VALUE_BYTES = 100;

    @TempDir
    Path dir;

    @Test
    void exactlyOnceAgainstAtLeastOnceIntoSqlite() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("bench", 1);
            produce(kafka);
            for (int round = 0; round < 2; round++) {
                for (int batch : new int[] {100, 1000}) {
                    double alo = atLeastOnce(kafka, batch, round);
                    double eo = exactlyOnce(kafka, batch, round);
                    System.out.printf("BENCH round %d batch %d: exactly-once %.0f rec/s, at-least-once %.0f rec/s, "
                            + "ratio %.2f (%d records of %d B, 1 partition, SQLite WAL synchronous=FULL, "
                            + "single-node in-process KRaft, 2 cores shared)%n", round, batch, eo, alo, eo / alo,
                            RECORDS, VALUE_BYTES);
                }
            }
        }
    }

    private static void produce(KafkaBroker kafka) throws Exception {
        byte[] value = new byte[VALUE_BYTES];
        try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536))) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                fs.add(p.send(new ProducerRecord<>("bench", 0, null, value)));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }

    /** Records per second from the first record applied to the last. */
    private double exactlyOnce(KafkaBroker kafka, int batch, int round) throws Exception {
        String group = "eo-" + batch + "-" + round;
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve(group + ".db"))) {
            store.inTransaction(tx -> {
                try (Statement st = tx.connection().createStatement()) {
                    st.executeUpdate("CREATE TABLE rows (id TEXT NOT NULL, value BLOB)");
                }
                return null;
            });
            ExactlyOnceProcessor p = ExactlyOnceProcessor.builder()
                    .source(KafkaSource.builder(kafka.bootstrap(), group, "bench").maxPollRecords(batch).build())
                    .store(store).consumer(group).batchSize(batch).inboxRetentionMs(TimeUnit.DAYS.toMillis(1))
                    .handler((m, tx) -> {
                        try (PreparedStatement ps = tx.connection().prepareStatement(
                                "INSERT INTO rows (id, value) VALUES (?, ?)")) {
                            ps.setString(1, m.messageId());
                            ps.setBytes(2, m.value());
                            ps.executeUpdate();
                        }
                    }).build();
            p.start();
            while (Applied.count(store, group) == 0) {
                Thread.sleep(1);
            }
            long start = System.nanoTime();
            while (Applied.count(store, group) < RECORDS) {
                Thread.sleep(5);
            }
            long ns = System.nanoTime() - start;
            p.close();
            assertThat(Applied.count(store, group)).isEqualTo(RECORDS);
            return RECORDS / (ns / 1e9);
        }
    }

    private double atLeastOnce(KafkaBroker kafka, int batch, int round) throws Exception {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "alo-" + batch + "-" + round);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batch);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Path db = dir.resolve("alo-" + batch + "-" + round + ".db");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
                Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.executeUpdate("CREATE TABLE rows (id TEXT NOT NULL, value BLOB)");
            }
            conn.setAutoCommit(false);
            consumer.subscribe(List.of("bench"));
            long done = 0;
            long start = 0;
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO rows (id, value) VALUES (?, ?)")) {
                while (done < RECORDS) {
                    ConsumerRecords<byte[], byte[]> rs = consumer.poll(Duration.ofMillis(200));
                    if (rs.isEmpty()) {
                        continue;
                    }
                    if (start == 0) {
                        start = System.nanoTime();
                    }
                    for (ConsumerRecord<byte[], byte[]> r : rs) {
                        ps.setString(1, r.topic() + "/" + r.partition() + "/" + r.offset());
                        ps.setBytes(2, r.value());
                        ps.executeUpdate();
                    }
                    conn.commit();
                    consumer.commitSync();
                    done += rs.count();
                }
            }
            return RECORDS / ((System.nanoTime() - start) / 1e9);
        }
    }
}
