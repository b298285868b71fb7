package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.Admin;
import io.semel.client.DefiniteFailureException;
import io.semel.client.Producer;
import io.semel.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTest {
    @TempDir
    Path dataDir;

    RealBroker broker;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        broker = RealBroker.start(dataDir);
        admin = Admin.builder(broker.bootstrap()).build();
    }

    @AfterEach
    void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void createdTopicIsListedWithItsDeadLetterTopicAndDescribedPerPartition() {
        admin.createTopic("orders", 3);

        assertThat(admin.listTopics()).contains(new Admin.TopicListing("orders", 3),
                new Admin.TopicListing("orders.dlq", 1));
        assertThat(admin.describeTopic("orders")).containsExactly(new Admin.PartitionInfo(0, 0, 0),
                new Admin.PartitionInfo(1, 0, 0), new Admin.PartitionInfo(2, 0, 0));
    }

    @Test
    void describeShowsNextOffsetsAfterProducing() {
        admin.createTopic("t", 1);
        try (Producer p = Producer.builder(broker.bootstrap()).build()) {
            for (int i = 0; i < 5; i++) {
                p.send("t", ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            p.flush();
            p.close(Duration.ofSeconds(5));
        }
        assertThat(admin.describeTopic("t")).containsExactly(new Admin.PartitionInfo(0, 0, 5));
    }

    @Test
    void creatingAnExistingTopicFailsWithTopicAlreadyExists() {
        admin.createTopic("t", 1);
        assertThatThrownBy(() -> admin.createTopic("t", 2)).isInstanceOf(DefiniteFailureException.class)
                .satisfies(e -> assertThat(((DefiniteFailureException) e).errorCode())
                        .isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS))
                .hasMessageContaining("'t'");
    }

    @Test
    void describingAnUnknownTopicFailsWithUnknownTopic() {
        assertThatThrownBy(() -> admin.describeTopic("nope")).isInstanceOf(DefiniteFailureException.class)
                .satisfies(e -> assertThat(((DefiniteFailureException) e).errorCode())
                        .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }

    @Test
    void invalidNameOrPartitionCountIsRefusedBeforeSending() {
        assertThatThrownBy(() -> admin.createTopic("a/b", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("illegal character '/'");
        assertThatThrownBy(() -> admin.createTopic("ok", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions 0");
    }

    @Test
    void unreachableBrokerIsADefiniteRetriableFailure() {
        int port = broker.port();
        broker.close();
        try (Admin gone = Admin.builder("127.0.0.1:" + port).connectTimeoutMs(1_000).build()) {
            assertThatThrownBy(gone::listTopics).isInstanceOf(DefiniteFailureException.class)
                    .hasMessageContaining("could not connect")
                    .satisfies(e -> assertThat(((DefiniteFailureException) e).retriable()).isTrue());
        }
    }
}
