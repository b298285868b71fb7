package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.CrashPoints;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.testing.EmbeddedPostgresServer;
import io.semel.protocol.Header;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process deaths of the Kafka outbox relay: child JVMs halted at each named crash point (the
 * JVM halts at once: an open Kafka transaction stays open, nothing is closed), one SIGKILLed
 * mid-stream, then a draining relay. A read_committed reader must see every outbox row exactly once,
 * in id order per key.
 */
class KafkaRelayKillTest {
    private static final int ROWS = 400;

    @TempDir
    Path dir;

    @Test
    void haltedAndSigkilledRelaysStillPublishEveryRowExactlyOnce() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(); EmbeddedPostgresServer pg = EmbeddedPostgresServer.start()) {
            kafka.createTopic("out", 2);
            String url = pg.freshDatabaseUrl("kill");
            try (JdbcStore store = JdbcStore.postgres(url, "postgres", "", 2)) {
                store.inTransaction(tx -> {
                    for (int i = 0; i < ROWS; i++) {
                        String id = "in/" + i + "#0";
                        tx.enqueueOutbox(new OutboxMessage("out", ("k" + (i % 5)).getBytes(StandardCharsets.UTF_8),
                                ("v" + i).getBytes(StandardCharsets.UTF_8), List.of(Header.of("semel.id", id)), id, 1L));
                    }
                    return null;
                });
            }
            String[] args = {url, kafka.bootstrap(), "kill", "progress-kill"};
            for (String point : List.of(CrashPoints.KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT,
                    CrashPoints.KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT)) {
                Process child = start(args, List.of("-D" + CrashPoints.PROPERTY + "=" + point + "@3"), false, point);
                assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).as("halted at %s", point).isEqualTo(CrashPoints.EXIT_STATUS);
            }
            Process killed = start(args, List.of(), false, "sigkill");
            Path out = dir.resolve("sigkill.out");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (sent(out) < 50 && killed.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            killed.destroyForcibly();
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Process drain = start(args, List.of(), true, "drain");
            assertThat(drain.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(drain.exitValue()).as(Files.readString(dir.resolve("drain.out"))).isZero();

            Map<String, Integer> seen = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                Map<String, Integer> lastByKey = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("out", p)) {
                    String id = new String(r.headers().lastHeader("semel.id").value(), StandardCharsets.UTF_8);
                    seen.merge(id, 1, Integer::sum);
                    int index = Integer.parseInt(id.substring(3, id.indexOf('#')));
                    Integer before = lastByKey.put(new String(r.key(), StandardCharsets.UTF_8), index);
                    assertThat(before == null || before < index).as("%s after %s", index, before).isTrue();
                }
            }
            Map<String, Integer> once = new HashMap<>();
            for (int i = 0; i < ROWS; i++) {
                once.put("in/" + i + "#0", 1);
            }
            assertThat(seen).isEqualTo(once);
        }
    }

    private Process start(String[] args, List<String> jvmArgs, boolean drain, String name) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, KafkaRelayChild.class.getName()));
        cmd.addAll(List.of(args));
        if (drain) {
            cmd.add("drain");
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
    }

    private static long sent(Path out) throws IOException {
        if (!Files.exists(out)) {
            return 0;
        }
        long last = 0;
        for (String line : Files.readString(out, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("SENT ")) {
                last = Long.parseLong(line.substring(5).trim());
            }
        }
        return last;
    }
}
