package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.CrashPoints;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import io.semel.processor.testing.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process deaths of a processor on Kafka: child JVMs halted at each processor crash point
 * (between handler and commit, between commit and the next poll, between the claim and the seek)
 * and one SIGKILLed mid-stream, then one that runs to the end. The non-idempotent balances must
 * equal the sums of the sent increments, each record applied once, and each partition's stored
 * position must be its end offset.
 */
class KafkaProcessorKillTest {
    private static final int MESSAGES = 600;
    private static final int ACCOUNTS = 5;
    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";

    @TempDir
    Path dir;

    @Test
    void haltedAndSigkilledProcessorsApplyEveryRecordExactlyOnce() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(); EmbeddedPostgresServer pg = EmbeddedPostgresServer.start()) {
            kafka.createTopic(TOPIC, 3);
            String url = pg.freshDatabaseUrl("pkill");
            Map<String, Long> expected = new HashMap<>();
            try (JdbcStore store = JdbcStore.postgres(url, "postgres", "", 2)) {
                store.inTransaction(tx -> {
                    try (Statement st = tx.connection().createStatement()) {
                        st.executeUpdate("CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)");
                        for (int i = 0; i < ACCOUNTS; i++) {
                            st.executeUpdate("INSERT INTO accounts VALUES ('acct-" + i + "', 0)");
                            expected.put("acct-" + i, 0L);
                        }
                    }
                    return null;
                });
            }
            send(kafka, expected);
            String[] args = {url, kafka.bootstrap(), TOPIC, GROUP, Integer.toString(MESSAGES)};
            for (String point : List.of(CrashPoints.AFTER_HANDLER_BEFORE_COMMIT + "@4",
                    CrashPoints.AFTER_COMMIT_BEFORE_ACK + "@4", CrashPoints.KAFKA_AFTER_CLAIM_BEFORE_SEEK + "@2")) {
                Process child = start(args, List.of("-D" + CrashPoints.PROPERTY + "=" + point), point);
                assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).as("halted at %s: %s", point, output(point)).isEqualTo(CrashPoints.EXIT_STATUS);
            }
            Process killed = start(args, List.of(), "sigkill");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long before = processed(url);
            while (processed(url) < before + 100 && killed.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            killed.destroyForcibly();
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Process last = start(args, List.of(), "last");
            assertThat(last.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as(output("last")).isZero();

            try (JdbcStore store = JdbcStore.postgres(url, "postgres", "", 2)) {
                assertThat(balances(store)).isEqualTo(expected);
                assertThat(Applied.count(store, GROUP)).isEqualTo(MESSAGES);
                Map<TopicPartition, Long> ends = kafka.admin().listOffsets(Map.of(
                        new TopicPartition(TOPIC, 0), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                        new TopicPartition(TOPIC, 1), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                        new TopicPartition(TOPIC, 2), org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .all().get(30, TimeUnit.SECONDS).entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                for (int p = 0; p < 3; p++) {
                    int partition = p;
                    long next = store.inTransaction(tx -> tx.lockPosition(GROUP, TOPIC, partition).orElseThrow()
                            .nextOffset());
                    assertThat(next).as("position of partition %s", p).isEqualTo(ends.get(new TopicPartition(TOPIC, p)));
                }
            }
        }
    }

    private static void send(KafkaBroker kafka, Map<String, Long> expected) throws Exception {
        Random r = new Random(9);
        try (KafkaProducer<byte[], byte[]> p = kafka.producer(Map.of())) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                String acct = "acct-" + r.nextInt(ACCOUNTS);
                long amount = 1 + r.nextInt(1000);
                expected.merge(acct, amount, Long::sum);
                fs.add(p.send(new ProducerRecord<>(TOPIC, acct.getBytes(StandardCharsets.UTF_8),
                        Long.toString(amount).getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
    }

    private static long processed(String url) {
        try (JdbcStore store = JdbcStore.postgres(url, "postgres", "", 1)) {
            return Applied.count(store, GROUP);
        }
    }

    private static Map<String, Long> balances(JdbcStore store) throws Exception {
        return store.inTransaction(tx -> {
            Map<String, Long> out = new HashMap<>();
            try (PreparedStatement ps = tx.connection().prepareStatement("SELECT id, balance FROM accounts");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    private String output(String name) throws IOException {
        Path f = dir.resolve(name + ".out");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private Process start(String[] args, List<String> jvmArgs, String name) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, KafkaProcessorChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
    }
}
