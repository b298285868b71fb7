package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.semel.processor.ExactlyOnceProcessor;
import io.semel.processor.store.JdbcStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent client feeds the input: Kafka's own {@code VerifiableProducer} (kafka-tools, in a
 * child JVM) sends {@value #MESSAGES} values and reports each acknowledged record's partition and
 * offset. The processor must then hold exactly the acknowledged records, each once, and of the
 * records it reported failed (outcome unknown: it does not retry) at most one copy.
 */
class VerifiableProducerTest {
    private static final int MESSAGES = 500;
    private static final Pattern VALUE = Pattern.compile("\"value\":\"(\\d+)\"");
    private static final Pattern PARTITION = Pattern.compile("\"partition\":(\\d+)");
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");

    @TempDir
    Path dir;

    @Test
    void theStoreHoldsEveryRecordVerifiableProducerReportedAcknowledgedExactlyOnce() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(); JdbcStore store = JdbcStore.sqlite(dir.resolve("vp.db"))) {
            kafka.createTopic("vp", 3);
            store.inTransaction(tx -> {
                try (Statement st = tx.connection().createStatement()) {
                    st.executeUpdate("CREATE TABLE applied (msg_id TEXT NOT NULL, value TEXT NOT NULL)");
                }
                return null;
            });
            Path out = dir.resolve("producer.out");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Process producer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", classpath, "org.apache.kafka.tools.VerifiableProducer", "--topic", "vp",
                    "--bootstrap-server", kafka.bootstrap(), "--max-messages", Integer.toString(MESSAGES),
                    "--throughput", "-1").redirectErrorStream(false).redirectOutput(out.toFile())
                    .redirectError(dir.resolve("producer.err").toFile()).start();
            ExactlyOnceProcessor p = ExactlyOnceProcessor.builder()
                    .source(KafkaSourceContractTest.member(kafka, "vp", "vp-group")).store(store).consumer("vp-group")
                    .inboxRetentionMs(TimeUnit.DAYS.toMillis(1)).handler((m, tx) -> {
                        try (PreparedStatement ps = tx.connection().prepareStatement(
                                "INSERT INTO applied (msg_id, value) VALUES (?, ?)")) {
                            ps.setString(1, m.messageId());
                            ps.setString(2, new String(m.value(), StandardCharsets.UTF_8));
                            ps.executeUpdate();
                        }
                    }).build();
            p.start();
            assertThat(producer.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(producer.exitValue()).as(Files.readString(dir.resolve("producer.err"))).isZero();

            Map<String, String> acked = new HashMap<>(); // message id topic/partition/offset -> value
            Set<String> unknown = new HashSet<>(); // values whose send failed: not retried, outcome unknown
            for (String line : Files.readAllLines(out)) {
                if (line.contains("\"name\":\"producer_send_success\"")) {
                    acked.put("vp/" + field(PARTITION, line) + "/" + field(OFFSET, line), field(VALUE, line));
                } else if (line.contains("\"name\":\"producer_send_error\"")) {
                    unknown.add(field(VALUE, line));
                }
            }
            List<String> lines = Files.readAllLines(out);
            assertThat(acked).as("acknowledged records in the producer's output, which starts: %s",
                    lines.subList(0, Math.min(3, lines.size()))).isNotEmpty();
            await().atMost(Duration.ofSeconds(60)).until(() -> applied(store).size() >= acked.size());
            Thread.sleep(500); // anything extra would show now
            p.close();
            List<String[]> rows = applied(store);
            Set<String> ids = new HashSet<>();
            Set<String> values = new HashSet<>();
            for (String[] r : rows) {
                assertThat(ids.add(r[0])).as("applied twice: %s", r[0]).isTrue();
                assertThat(values.add(r[1])).as("value applied twice: %s", r[1]).isTrue();
            }
            Map<String, String> appliedById = new HashMap<>();
            rows.forEach(r -> appliedById.put(r[0], r[1]));
            assertThat(appliedById).as("every acknowledged record, with its value").containsAllEntriesOf(acked);
            appliedById.keySet().removeAll(acked.keySet());
            assertThat(appliedById.values()).as("nothing else, except at most once a send of unknown outcome")
                    .allMatch(unknown::contains);
        }
    }

    private static String field(Pattern p, String line) {
        Matcher m = p.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + line);
        }
        return m.group(1);
    }

    private static List<String[]> applied(JdbcStore store) throws Exception {
        return store.inTransaction(tx -> {
            List<String[]> out = new ArrayList<>();
            try (Statement st = tx.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT msg_id, value FROM applied")) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            return out;
        });
    }
}
