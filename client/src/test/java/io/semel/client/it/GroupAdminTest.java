package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.DefiniteFailureException;
import io.semel.client.Message;
import io.semel.client.PartitionReader;
import io.semel.client.Producer;
import io.semel.client.SemelException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.ResetGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic deletion and growth, group listing, description and reset, against a real broker over TCP. */
class GroupAdminTest {
    @TempDir
    Path dataDir;

    Broker broker;
    String bootstrap;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        startBroker();
    }

    private void startBroker() throws Exception {
        broker = Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).shutdownTimeoutMs(5_000)
                .sessionTimeoutMinMs(500).build());
        bootstrap = broker.host() + ":" + broker.port();
        admin = Admin.builder(bootstrap).build();
    }

    private void restartBroker() throws Exception {
        admin.close();
        broker.close();
        startBroker();
    }

    @AfterEach
    void stop() {
        admin.close();
        broker.close();
    }

    private void produce(String topic, int count) throws Exception {
        try (Producer p = Producer.builder(bootstrap).build()) {
            List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(p.send(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private Consumer consumer(String topic, String group) {
        return Consumer.builder(bootstrap).topic(topic).group(group).sessionTimeoutMs(1_000).build();
    }

    /** Polls until {@code count} messages arrived; acks them when asked. */
    private List<Message> take(Consumer c, int count, boolean ack) {
        List<Message> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < count && System.nanoTime() < deadline) {
            List<Message> batch = c.poll(Duration.ofMillis(200), count - got.size());
            if (ack && !batch.isEmpty()) {
                c.ack(batch);
            }
            got.addAll(batch);
        }
        assertThat(got).hasSize(count);
        return got;
    }

    @Test
    void deletedTopicIsGoneWithItsDeadLetterTopicAndGroupsAndItsClientsGetUnknownTopic() throws Exception {
        admin.createTopic("orders", 2);
        produce("orders", 10);
        try (Consumer c = consumer("orders", "billing")) {
            take(c, 3, true);
            assertThat(admin.listGroups()).extracting(Admin.GroupListing::name).contains("billing");

            admin.deleteTopic("orders");

            assertThat(admin.listTopics()).extracting(Admin.TopicListing::name)
                    .doesNotContain("orders", "orders.dlq");
            assertThat(admin.listGroups()).extracting(Admin.GroupListing::name).doesNotContain("billing");
            assertThatThrownBy(() -> c.poll(Duration.ofMillis(100))).isInstanceOf(SemelException.class)
                    .satisfies(e -> assertThat(((SemelException) e).errorCode())
                            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        }
        try (PartitionReader r = PartitionReader.builder(bootstrap).build()) {
            assertThatThrownBy(() -> r.read("orders", 0, 0, 0)).isInstanceOf(DefiniteFailureException.class)
                    .satisfies(e -> assertThat(((DefiniteFailureException) e).errorCode())
                            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        }
        try (Producer p = Producer.builder(bootstrap).deliveryTimeoutMs(5_000).build()) {
            assertThatThrownBy(() -> p.send("orders", "x".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS))
                    .hasMessageContaining("UNKNOWN_TOPIC_OR_PARTITION");
        }
        // Deletion is durable, and the name is free again with a fresh group state.
        restartBroker();
        assertThat(admin.listTopics()).extracting(Admin.TopicListing::name).doesNotContain("orders", "orders.dlq");
        assertThat(admin.listGroups()).isEmpty();
        admin.createTopic("orders", 3);
        produce("orders", 4);
        try (Consumer c = consumer("orders", "billing")) {
            assertThat(take(c, 4, true)).allSatisfy(m -> assertThat(m.deliveryCount()).isEqualTo(1));
        }
    }

    @Test
    void deletingAnUnknownTopicFailsWithUnknownTopic() {
        assertThatThrownBy(() -> admin.deleteTopic("nope")).isInstanceOf(DefiniteFailureException.class)
                .satisfies(e -> assertThat(((DefiniteFailureException) e).errorCode())
                        .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }

    @Test
    void addedPartitionsAreWritableConsumedByExistingGroupsAndSurviveARestart() throws Exception {
        admin.createTopic("t", 1);
        produce("t", 2);
        try (Consumer c = consumer("t", "g")) {
            take(c, 2, true);
        }
        admin.addPartitions("t", 3);
        assertThat(admin.describeTopic("t")).hasSize(3);
        assertThat(admin.describeGroup("g").partitions()).hasSize(3);
        try (Producer p = Producer.builder(bootstrap).durable("writer").build()) {
            for (int tp = 1; tp < 3; tp++) {
                p.sendWithSequence("t", tp, 0, null, ("new-" + tp).getBytes(StandardCharsets.UTF_8), List.of())
                        .get(30, TimeUnit.SECONDS);
            }
        }
        restartBroker();
        assertThat(admin.describeTopic("t")).extracting(Admin.PartitionInfo::nextOffset).containsExactly(2L, 1L, 1L);
        try (Consumer c = consumer("t", "g")) {
            assertThat(take(c, 2, true)).extracting(m -> new String(m.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("new-1", "new-2");
        }
        assertThatThrownBy(() -> admin.addPartitions("t", 3)).isInstanceOf(DefiniteFailureException.class)
                .hasMessageContaining("must be above it");
        assertThatThrownBy(() -> admin.addPartitions("t.dlq", 2)).isInstanceOf(DefiniteFailureException.class)
                .hasMessageContaining("dead-letter topic");
    }

    @Test
    void describeShowsMembersLeasesFloorsInFlightAndLag() throws Exception {
        admin.createTopic("t", 2);
        produce("t", 20);
        try (Consumer c = consumer("t", "g")) {
            List<Message> got = take(c, 5, false);
            c.ack(got.subList(0, 2));
            Admin.GroupDescription d = admin.describeGroup("g");
            assertThat(d.topic()).isEqualTo("t");
            assertThat(d.members()).extracting(Admin.GroupMember::memberId).containsExactly(c.memberId());
            assertThat(d.partitions()).hasSize(2).allSatisfy(p -> {
                assertThat(p.holder()).isEqualTo(c.memberId());
                assertThat(p.leaseEpoch()).isPositive();
            });
            assertThat(d.partitions().stream().mapToInt(Admin.GroupPartition::inFlight).sum()).isEqualTo(3);
            assertThat(d.partitions().stream().mapToLong(Admin.GroupPartition::logEndOffset).sum()).isEqualTo(20);
            assertThat(d.partitions().stream().mapToLong(Admin.GroupPartition::lag).sum()).isEqualTo(18);
            assertThat(admin.listGroups()).containsExactly(new Admin.GroupListing("g", "t", 2, 1));
        }
        assertThatThrownBy(() -> admin.describeGroup("nope")).isInstanceOf(DefiniteFailureException.class)
                .satisfies(e -> assertThat(((DefiniteFailureException) e).errorCode())
                        .isEqualTo(ErrorCode.GROUP_NOT_FOUND));
    }

    @Test
    void resetIsRefusedWithMembersAndMovesAnEmptyGroupToAnOffsetOrTime() throws Exception {
        admin.createTopic("t", 1);
        produce("t", 10);
        long middle;
        try (Consumer c = consumer("t", "g")) {
            take(c, 10, true);
            assertThatThrownBy(() -> admin.resetGroup("g", "t", 0, Admin.ResetTo.offset(3)))
                    .isInstanceOf(DefiniteFailureException.class)
                    .satisfies(e -> assertThat(((DefiniteFailureException) e).errorCode())
                            .isEqualTo(ErrorCode.GROUP_NOT_EMPTY));
        }
        assertThat(admin.resetGroup("g", "t", ResetGroup.Request.ALL_PARTITIONS, Admin.ResetTo.offset(7)))
                .containsEntry(0, 7L);
        try (Consumer c = consumer("t", "g")) {
            assertThat(take(c, 3, true)).extracting(Message::offset).containsExactly(7L, 8L, 9L);
        }
        Thread.sleep(20);
        middle = System.currentTimeMillis();
        produce("t", 5);
        assertThat(admin.resetGroup("g", "t", 0, Admin.ResetTo.timestamp(middle))).containsEntry(0, 10L);
        assertThat(admin.resetGroup("g", "t", 0, Admin.ResetTo.earliest())).containsEntry(0, 0L);
        restartBroker(); // the reset is durable
        assertThat(admin.describeGroup("g").partitions().get(0).ackFloor()).isZero();
        assertThat(admin.resetGroup("g", "t", 0, Admin.ResetTo.latest())).containsEntry(0, 15L);
        assertThat(admin.resetGroup("g", "t", 0, Admin.ResetTo.offset(1_000))).as("clamped to the log end")
                .containsEntry(0, 15L);
        assertThatThrownBy(() -> admin.resetGroup("g", "other", 0, Admin.ResetTo.earliest()))
                .isInstanceOf(DefiniteFailureException.class);
    }
}
