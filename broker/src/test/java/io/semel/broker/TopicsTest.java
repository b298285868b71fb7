package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.CreateTopic;
import io.semel.protocol.DescribeTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Metadata;
import io.semel.protocol.Produce;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest extends BrokerTestSupport {

    @Test
    void createdTopicsAreListedWithTheirDeadLetterTopicAndDescribed() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "orders", 3);
            createTopic(c, "audit", 1);
            ListTopics.Response list = c.call(new ListTopics.Request(), ListTopics.Response.class);
            assertThat(list.topics()).containsExactly(new ListTopics.Topic("audit", 1),
                    new ListTopics.Topic("audit.dlq", 1), new ListTopics.Topic("orders", 3),
                    new ListTopics.Topic("orders.dlq", 1));

            c.call(new Produce.Request("orders", 1, 0, TestClient.plainBatch("a", "b")), Produce.Response.class);
            DescribeTopic.Response d = c.call(new DescribeTopic.Request("orders"), DescribeTopic.Response.class);
            assertThat(d.partitions()).containsExactly(new DescribeTopic.PartitionOffsets(0, 0, 0),
                    new DescribeTopic.PartitionOffsets(1, 0, 2), new DescribeTopic.PartitionOffsets(2, 0, 0));

            Metadata.Response m = c.call(new Metadata.Request(List.of("orders", "nope", "bad/name")),
                    Metadata.Response.class);
            assertThat(m.topics()).containsExactly(new Metadata.TopicMetadata("orders", ErrorCode.NONE, 3),
                    new Metadata.TopicMetadata("nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0),
                    new Metadata.TopicMetadata("bad/name", ErrorCode.INVALID_TOPIC_NAME, 0));
            assertThat(c.call(new Metadata.Request(List.of()), Metadata.Response.class).topics()).hasSize(4);
        }
        assertThat(dataDir.resolve("topics/orders/topic.meta")).exists();
        assertThat(dataDir.resolve("topics/orders/2")).isDirectory();
        assertThat(dataDir.resolve("topics/orders.dlq/0")).isDirectory();
    }

    @Test
    void creationErrorsCarryTheirCodes() throws Exception {
        startBroker(configBuilder().partitionsMaxPerTopic(8).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 2);
            assertThat(c.call(new CreateTopic.Request("t", 2), CreateTopic.Response.class).error())
                    .isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS);
            CreateTopic.Response bad = c.call(new CreateTopic.Request("../etc", 1), CreateTopic.Response.class);
            assertThat(bad.error()).isEqualTo(ErrorCode.INVALID_TOPIC_NAME);
            assertThat(bad.errorMessage()).contains("illegal character '/'");
            CreateTopic.Response many = c.call(new CreateTopic.Request("big", 9), CreateTopic.Response.class);
            assertThat(many.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(many.errorMessage()).contains("partitionsMaxPerTopic").contains("1..8");
            assertThat(c.call(new DescribeTopic.Request("none"), DescribeTopic.Response.class).error())
                    .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }
        assertThat(Files.exists(dataDir.resolve("etc"))).isFalse();
    }

    @Test
    void topicLimitCountsDeadLetterTopics() throws Exception {
        startBroker(configBuilder().topicsMax(3).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "a", 1);
            CreateTopic.Response r = c.call(new CreateTopic.Request("b", 1), CreateTopic.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(r.errorMessage()).contains("topicsMax");
            createTopic(c, "x.dlq", 1); // a dead-letter topic gets no dead-letter topic: needs only 1
            assertThat(c.call(new CreateTopic.Request("y.dlq", 1), CreateTopic.Response.class).error())
                    .isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    @Test
    void topicsSurviveARestartAndUnfinishedCreationsAreDropped() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "keep", 4);
        }
        broker.close();
        Files.createDirectories(dataDir.resolve("topics/half/0")); // a creation cut before its metadata
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(c.call(new ListTopics.Request(), ListTopics.Response.class).topics())
                    .containsExactly(new ListTopics.Topic("keep", 4), new ListTopics.Topic("keep.dlq", 1));
        }
        assertThat(dataDir.resolve("topics/half")).doesNotExist();
    }
}
