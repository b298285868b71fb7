package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.DeadLetterRedrive;
import io.semel.client.Message;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semel dlq redrive} killed with SIGKILL (a real child JVM) in the middle, twice, then run
 * to the end: every dead letter is back in its topic exactly once, and a further redrive moves
 * nothing.
 */
class RedriveKillTest {
    private static final int MESSAGES = 2_500;

    @TempDir
    Path dir;

    Broker broker;
    String address;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        // One delivery: the first nack dead-letters the message.
        broker = Broker.start(BrokerConfig.builder(dir.resolve("data")).port(0).ioThreads(2).maxDeliveries(1).build());
        address = broker.host() + ":" + broker.port();
        admin = Admin.builder(address).build();
        admin.createTopic("orders", 3);
    }

    @AfterEach
    void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void redriveKilledTwiceAndRepeatedMovesEveryDeadLetterOnce() throws Exception {
        deadLetterEverything();
        long before = records("orders");
        assertThat(before).isEqualTo(MESSAGES);

        killWhenRedriven(before + 700);
        killWhenRedriven(before + 1_800);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Semel.run(new String[] {"dlq", "redrive", "orders", "--broker", address}, new PrintWriter(out),
                new PrintWriter(err))).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("already redriven by an interrupted run");

        Map<String, Long> copies = redrivenValues();
        assertThat(copies).as("every dead letter back once").hasSize(MESSAGES)
                .allSatisfy((value, n) -> assertThat(n).as(value).isEqualTo(1L));
        assertThat(records("orders")).isEqualTo(2L * MESSAGES);

        StringWriter again = new StringWriter();
        assertThat(Semel.run(new String[] {"dlq", "redrive", "orders", "--broker", address}, new PrintWriter(again),
                new PrintWriter(new StringWriter()))).isZero();
        assertThat(again.toString()).contains("redrove 0 message(s)");
        assertThat(records("orders")).isEqualTo(2L * MESSAGES);
        assertThat(admin.describeGroup(DeadLetterRedrive.CURSOR_GROUP_PREFIX + "orders.dlq").partitions().get(0)
                .ackFloor()).isEqualTo(MESSAGES);
    }

    /** Starts a redrive in a child JVM and SIGKILLs it once {@code orders} holds {@code target} records. */
    private void killWhenRedriven(long target) throws Exception {
        InterruptTest.Child c = InterruptTest.Child.start(dir, "dlq", "redrive", "orders", "--max-rate", "1000",
                "--broker", address);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (records("orders") < target) {
            assertThat(c.process().isAlive()).as("redrive still running; stdout %s stderr %s", c.out(), c.err())
                    .isTrue();
            assertThat(System.nanoTime()).as("redrive reaches %d records in time", target).isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(c.process().isAlive()).as("killed in the middle, not after the end").isTrue();
        c.process().destroyForcibly(); // SIGKILL: no shutdown hook, no close
        assertThat(c.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(records("orders")).as("the kill interrupted the redrive").isLessThan(2L * MESSAGES);
    }

    private void deadLetterEverything() throws Exception {
        try (Producer p = Producer.builder(address).build()) {
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                sent.add(p.send("orders", ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("order-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (CompletableFuture<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        try (Consumer c = Consumer.builder(address).topic("orders").group("billing").build()) {
            int nacked = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (nacked < MESSAGES && System.nanoTime() < deadline) {
                for (Message m : c.poll(Duration.ofMillis(200))) {
                    c.nack(m, "poison");
                    nacked++;
                }
            }
            assertThat(nacked).isEqualTo(MESSAGES);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records("orders.dlq") < MESSAGES && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(records("orders.dlq")).isEqualTo(MESSAGES);
    }

    private long records(String topic) {
        return admin.describeTopic(topic).stream().mapToLong(p -> p.nextOffset() - p.startOffset()).sum();
    }

    /** Value → how many redriven copies (records carrying the redrive header) the topic holds. */
    private Map<String, Long> redrivenValues() {
        List<PartitionRecord> all = new ArrayList<>();
        try (PartitionReader r = PartitionReader.builder(address).build()) {
            for (int p = 0; p < 3; p++) {
                all.addAll(r.readToEnd("orders", p, 0, 10 * MESSAGES));
            }
        }
        Map<String, Long> out = new HashMap<>(all.stream().filter(r -> r.header(DeadLetterRedrive.H_SOURCE) != null)
                .collect(Collectors.groupingBy(r -> new String(r.value(), StandardCharsets.UTF_8),
                        Collectors.counting())));
        // A redriven copy lands in the partition its original was in.
        Map<String, Integer> originalPartition = all.stream().filter(r -> r.header(DeadLetterRedrive.H_SOURCE) == null)
                .collect(Collectors.toMap(r -> new String(r.value(), StandardCharsets.UTF_8),
                        PartitionRecord::partition));
        all.stream().filter(r -> r.header(DeadLetterRedrive.H_SOURCE) != null).forEach(r -> assertThat(r.partition())
                .isEqualTo(originalPartition.get(new String(r.value(), StandardCharsets.UTF_8))));
        assertThat(out.keySet()).isEqualTo(originalPartition.keySet());
        return out;
    }
}
