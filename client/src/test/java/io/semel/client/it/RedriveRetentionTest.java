package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.DeadLetterRedrive;
import io.semel.client.Message;
import io.semel.client.PartitionReader;
import io.semel.client.Producer;
import io.semel.protocol.ResetGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limit {@link DeadLetterRedrive} states for retention: when retention removed dead letters
 * below the cursor, the redrive starts at the log start if the cursor's block was never started,
 * and refuses (saying how to go on) if it was partly written, since which of the removed dead
 * letters went back can no longer be told.
 */
class RedriveRetentionTest {
    private static final int DEAD_LETTERS = 10;
    private static final String DLQ = "orders.dlq";
    private static final String CURSOR = DeadLetterRedrive.CURSOR_GROUP_PREFIX + DLQ;

    @TempDir
    Path dir;

    Broker broker;
    String address;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        // Each dead letter carries a 900-character reason, so orders-0 (small records) stays whole while retention
        // keeps orders.dlq-0 at a few KiB; one delivery: the first nack dead-letters.
        broker = Broker.start(BrokerConfig.builder(dir).port(0).ioThreads(2).maxDeliveries(1).segmentBytes(1024)
                .retentionBytes(4 * 1024).retentionCheckIntervalMs(20).shutdownTimeoutMs(5_000).build());
        address = broker.host() + ":" + broker.port();
        admin = Admin.builder(address).build();
        admin.createTopic("orders", 1);
        admin.resetGroup(CURSOR, DLQ, ResetGroup.Request.ALL_PARTITIONS, Admin.ResetTo.offset(0)); // cursor at 0
    }

    @AfterEach
    void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void retentionPastAnUntouchedCursorStartsAtTheLogStart() throws Exception {
        long logStart = deadLetterUntilRetentionPassesTheCursor();
        DeadLetterRedrive.Outcome o = redrive();
        assertThat(o.redriven()).isEqualTo(DEAD_LETTERS - logStart);
        assertThat(o.cursor()).containsEntry(0, (long) DEAD_LETTERS);
    }

    @Test
    void retentionPastAPartlyWrittenBlockRefusesUntilTheCursorIsMovedByHand() throws Exception {
        // What an interrupted run leaves: the block at the cursor (offset 0) wrote its first record.
        try (Producer block = durableProducer("semel-redrive.orders.dlq.0.0")) {
            block.sendWithSequence("orders", 0, 0, null, "redriven".getBytes(StandardCharsets.UTF_8), java.util.List.of())
                    .get(30, TimeUnit.SECONDS);
        }
        long logStart = deadLetterUntilRetentionPassesTheCursor();
        assertThatThrownBy(this::redrive).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retention has since removed offsets 0.." + (logStart - 1))
                .hasMessageContaining("semel group reset " + CURSOR + " --topic " + DLQ + " --to-offset " + logStart);
        assertThat(admin.describeGroup(CURSOR).partitions().get(0).ackFloor()).as("cursor not moved").isZero();

        admin.resetGroup(CURSOR, DLQ, 0, Admin.ResetTo.offset(logStart)); // what the message says to do
        assertThat(redrive().redriven()).isEqualTo(DEAD_LETTERS - logStart);
    }

    /** Dead-letters {@link #DEAD_LETTERS} messages; returns orders.dlq-0's log start once retention moved it. */
    private long deadLetterUntilRetentionPassesTheCursor() throws Exception {
        try (Producer p = Producer.builder(address).build()) {
            for (int i = 0; i < DEAD_LETTERS; i++) {
                p.send("orders", ("order-" + i).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            }
        }
        String reason = "poison ".repeat(128);
        try (Consumer c = Consumer.builder(address).topic("orders").group("billing").build()) {
            int nacked = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (nacked < DEAD_LETTERS && System.nanoTime() < deadline) {
                for (Message m : c.poll(Duration.ofMillis(100))) {
                    if (m.value() != null && new String(m.value(), StandardCharsets.UTF_8).startsWith("order-")) {
                        c.nack(m, reason);
                        nacked++;
                    } else {
                        c.ack(java.util.List.of(m));
                    }
                }
            }
            assertThat(nacked).isEqualTo(DEAD_LETTERS);
        }
        // Until retention is done: the log start moved and stayed put for 20 retention checks.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Admin.PartitionInfo dlq = admin.describeTopic(DLQ).get(0);
        for (int still = 0; still < 20 && System.nanoTime() < deadline; ) {
            Thread.sleep(20);
            Admin.PartitionInfo now = admin.describeTopic(DLQ).get(0);
            still = now.equals(dlq) && now.startOffset() > 0 && now.nextOffset() == DEAD_LETTERS ? still + 1 : 0;
            dlq = now;
        }
        assertThat(dlq.nextOffset()).isEqualTo(DEAD_LETTERS);
        assertThat(dlq.startOffset()).as("retention removed the oldest dead letters").isPositive();
        assertThat(admin.describeTopic("orders").get(0).startOffset()).as("orders itself untouched").isZero();
        return dlq.startOffset();
    }

    private DeadLetterRedrive.Outcome redrive() {
        try (PartitionReader reader = PartitionReader.builder(address).build()) {
            return new DeadLetterRedrive(admin, reader, this::durableProducer, 0, System::nanoTime)
                    .redrive("orders", new DeadLetterRedrive.Listener() {
                        @Override
                        public void blockDone(int dlqPartition, long nextOffset, long endOffset, long redriven,
                                long alreadyRedriven, long skipped) {
                        }

                        @Override
                        public void skipped(int dlqPartition, long offset, String why) {
                            throw new AssertionError("skipped offset " + offset + ": " + why);
                        }
                    });
        }
    }

    private Producer durableProducer(String name) {
        return Producer.builder(address).durable(name).build();
    }
}
