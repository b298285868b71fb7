package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.AckResult;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.client.StaleLeaseException;
import io.semel.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer → broker → consumer group, with the broker's real group coordinator. */
class ConsumerAgainstBrokerTest {
    @TempDir
    Path dataDir;

    RealBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = RealBroker.start(dataDir);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private void produce(String topic, int count) throws Exception {
        try (Producer p = Producer.builder(broker.bootstrap()).build()) {
            for (int i = 0; i < count; i++) {
                p.send(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            p.flush();
        }
    }

    private Consumer.Builder consumer(String topic, String clientId) {
        return Consumer.builder(broker.bootstrap()).group("g").topic(topic).clientId(clientId)
                .sessionTimeoutMs(6_000).pollTimeoutMs(100).nackBackoffMs(10);
    }

    @Test
    void everyProducedRecordIsConsumedOnceAcrossPartitions() throws Exception {
        broker.createTopic("t", 3);
        produce("t", 90);
        Set<String> seen = new HashSet<>();
        Set<Integer> partitions = new HashSet<>();
        try (Consumer c = consumer("t", "c").build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.size() < 90 && System.nanoTime() < deadline) {
                List<Message> batch = c.poll(Duration.ofMillis(200));
                for (Message m : batch) {
                    assertThat(m.deliveryCount()).isEqualTo(1);
                    assertThat(seen.add(new String(m.value(), StandardCharsets.UTF_8))).as("no duplicate").isTrue();
                    partitions.add(m.partition());
                }
                assertThat(c.ack(batch)).allMatch(AckResult::ok);
            }
        }
        assertThat(seen).hasSize(90);
        assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void handlerFailureInAtLeastOnceLoopNacksAndTheMessageIsRedeliveredWithCountTwo() throws Exception {
        broker.createTopic("t", 1);
        produce("t", 1);
        List<Message> handled = new CopyOnWriteArrayList<>();
        try (Consumer c = consumer("t", "c").build()) {
            Thread loop = new Thread(() -> c.runAtLeastOnce(m -> {
                handled.add(m);
                if (m.deliveryCount() == 1) {
                    throw new IllegalStateException("first attempt fails");
                }
                c.stop();
            }));
            loop.start();
            loop.join(20_000);
            assertThat(loop.isAlive()).as("loop stopped after the redelivery").isFalse();
        }
        assertThat(handled).extracting(Message::offset).containsExactly(0L, 0L);
        assertThat(handled).extracting(Message::deliveryCount).containsExactly(1, 2);
    }

    @Test
    void ackUnderALeaseThatMovedToAnotherMemberIsStale() throws Exception {
        broker.createTopic("t", 2);
        produce("t", 20);
        try (Consumer a = consumer("t", "a").build()) {
            List<Message> held = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (held.stream().map(Message::partition).distinct().count() < 2 && System.nanoTime() < deadline) {
                held.addAll(a.poll(Duration.ofMillis(200)));
            }
            assertThat(held).extracting(Message::partition).contains(0, 1);
            // b joining takes one of a's two partitions, under a new lease epoch.
            try (Consumer b = consumer("t", "b").build()) {
                List<AckResult> results = a.ack(held);
                List<Message> stale = results.stream().filter(r -> r.error() == ErrorCode.STALE_LEASE)
                        .map(AckResult::message).toList();
                assertThat(stale).isNotEmpty();
                assertThat(stale).extracting(Message::partition).containsOnly(stale.get(0).partition());
                assertThatThrownBy(() -> a.ack(stale.get(0))).isInstanceOf(StaleLeaseException.class)
                        .hasMessageContaining("lease epoch " + stale.get(0).leaseEpoch());
                assertThat(b.memberId()).isNotEqualTo(a.memberId());
            }
        }
    }

    /** Prefetch against the real coordinator: every record once, in order, every ack settled. */
    @Test
    void withPrefetchEveryRecordIsConsumedOnceInOrderAndEveryAckSettles() throws Exception {
        broker.createTopic("t", 1);
        produce("t", 2_000);
        List<CompletableFuture<List<AckResult>>> acks = new ArrayList<>();
        long next = 0;
        try (Consumer c = consumer("t", "c").maxPollMessages(100).prefetch(true).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (next < 2_000 && System.nanoTime() < deadline) {
                List<Message> batch = c.poll(Duration.ofMillis(200));
                for (Message m : batch) {
                    assertThat(m.offset()).as("in order, none twice").isEqualTo(next++);
                    assertThat(m.deliveryCount()).isEqualTo(1);
                }
                acks.add(c.ackWithNextPoll(batch));
            }
            c.flushAcks();
        }
        assertThat(next).isEqualTo(2_000);
        for (CompletableFuture<List<AckResult>> a : acks) {
            assertThat(a).isCompleted();
            assertThat(a.join()).allMatch(AckResult::ok);
        }
        try (Consumer c = consumer("t", "after").build()) {
            assertThat(c.poll(Duration.ofMillis(300))).as("everything was settled").isEmpty();
        }
    }

    /**
     * Fetching ahead against the real coordinator: a POLL fetches up to fetchMaxMessages, polls hand
     * them out maxPollMessages at a time, every record once and in order, every ack settled.
     */
    @Test
    void fetchingAheadEveryRecordIsConsumedOnceInOrderAndEveryAckSettles() throws Exception {
        broker.createTopic("t", 1);
        produce("t", 3_000);
        assertConsumedOnceInOrder(consumer("t", "c").maxPollMessages(100).fetchMaxMessages(1_000), 3_000);
    }

    /**
     * A broker whose pollMessagesMax is below the consumer's fetch refuses the larger POLL without
     * applying its acks; the consumer asks for its batch with them and goes on, every record once.
     */
    @Test
    void aBrokerRefusingTheFetchSizeIsAskedForTheBatchAndEveryRecordIsStillConsumedOnce() throws Exception {
        broker.close();
        broker = RealBroker.start(io.semel.broker.BrokerConfig.builder(dataDir.resolve("small")).pollMessagesMax(100));
        broker.createTopic("t", 1);
        produce("t", 1_000);
        assertConsumedOnceInOrder(consumer("t", "c").maxPollMessages(100).fetchMaxMessages(1_000), 1_000);
    }

    private void assertConsumedOnceInOrder(Consumer.Builder builder, int count) throws Exception {
        List<CompletableFuture<List<AckResult>>> acks = new ArrayList<>();
        long next = 0;
        try (Consumer c = builder.build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (next < count && System.nanoTime() < deadline) {
                List<Message> batch = c.poll(Duration.ofMillis(200));
                assertThat(batch.size()).isLessThanOrEqualTo(100);
                for (Message m : batch) {
                    assertThat(m.offset()).as("in order, none twice").isEqualTo(next++);
                    assertThat(m.deliveryCount()).isEqualTo(1);
                }
                acks.add(c.ackWithNextPoll(batch));
            }
            c.flushAcks();
        }
        assertThat(next).isEqualTo(count);
        for (CompletableFuture<List<AckResult>> a : acks) {
            assertThat(a).isCompleted();
            assertThat(a.join()).allMatch(AckResult::ok);
        }
        try (Consumer c = consumer("t", "after").maxPollMessages(100).build()) {
            assertThat(c.poll(Duration.ofMillis(300))).as("everything was settled").isEmpty();
        }
    }

    /** What a consumer fetched ahead and never handed out is released when it closes. */
    @Test
    void closingAConsumerReleasesWhatItFetchedAheadAndNeverHandedOut() throws Exception {
        broker.createTopic("t", 1);
        produce("t", 30);
        List<Message> first = new ArrayList<>();
        try (Consumer c = consumer("t", "first").maxPollMessages(5).fetchMaxMessages(20).sessionTimeoutMs(60_000)
                .build()) {
            first.addAll(c.poll(Duration.ofSeconds(5), 5)); // one batch: the pace is known after it
            c.ackWithNextPoll(first);
            // Fetching ahead needs a fast caller; retried in case this thread was descheduled between polls.
            for (int i = 0; i < 5 && first.size() < 10; i++) {
                List<Message> batch = c.poll(Duration.ofSeconds(5));
                first.addAll(batch);
                c.ackWithNextPoll(batch);
            }
        }
        assertThat(first).extracting(Message::offset).startsWith(0L, 1L, 2L, 3L, 4L, 5L);
        long handedOut = first.size();
        List<Message> rest = new ArrayList<>();
        try (Consumer c = consumer("t", "second").maxPollMessages(30).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rest.size() < 30 - handedOut && System.nanoTime() < deadline) {
                rest.addAll(c.poll(Duration.ofMillis(200)));
            }
        }
        assertThat(rest).extracting(Message::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(handedOut, 30).boxed().toList());
        assertThat(rest).as("some were fetched ahead by the first member and released at its close")
                .anyMatch(m -> m.deliveryCount() == 2);
    }

    /** What a prefetching consumer received ahead and never handed out is released when it closes. */
    @Test
    void closingAPrefetchingConsumerReleasesTheBatchItFetchedAhead() throws Exception {
        broker.createTopic("t", 1);
        produce("t", 30);
        CompletableFuture<List<AckResult>> acked;
        try (Consumer c = consumer("t", "first").maxPollMessages(10).prefetch(true).sessionTimeoutMs(60_000).build()) {
            List<Message> batch = c.poll(Duration.ofSeconds(5));
            assertThat(batch).extracting(Message::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            acked = c.ackWithNextPoll(batch);
        }
        assertThat(acked.join()).allMatch(AckResult::ok);
        List<Message> rest = new ArrayList<>();
        try (Consumer c = consumer("t", "second").maxPollMessages(30).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rest.size() < 20 && System.nanoTime() < deadline) {
                rest.addAll(c.poll(Duration.ofMillis(200)));
            }
        }
        assertThat(rest).extracting(Message::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(10, 30).boxed().toList());
        assertThat(rest).as("offsets 10..19 were delivered ahead to the first member, then released")
                .filteredOn(m -> m.offset() < 20).extracting(Message::deliveryCount).containsOnly(2);
        assertThat(rest).filteredOn(m -> m.offset() >= 20).extracting(Message::deliveryCount).containsOnly(1);
    }

    @Test
    void closeRightAfterJoiningLeavesAtOnceAndReleasesWhatItHeld() throws Exception {
        broker.createTopic("t", 1);
        produce("t", 20);
        // Closing while the heartbeat thread makes its first connection used to break that connection
        // (interrupt during HELLO), so LEAVE_GROUP failed and the partition stayed leased for the whole
        // session timeout (60 s here). Several rounds, because that was a race.
        for (int round = 0; round < 5; round++) {
            try (Consumer c = consumer("t", "short-" + round).sessionTimeoutMs(60_000).build()) {
                assertThat(c.poll(Duration.ofSeconds(5), 2)).as("round %d", round).isNotEmpty();
            }
        }
        try (Consumer c = consumer("t", "after").sessionTimeoutMs(60_000).build()) {
            List<Message> got = c.poll(Duration.ofSeconds(10), 20);
            assertThat(got).as("the partition was free at once, not after a session timeout").isNotEmpty();
        }
    }
}
