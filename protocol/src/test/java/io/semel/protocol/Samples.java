package io.semel.protocol;

import static io.semel.protocol.Batches.utf8;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One populated request and one successful response per API, with nulls and empties mixed in. */
final class Samples {
    private Samples() {
    }

    static Map<ApiKey, ApiRequest> requests() {
        Map<ApiKey, ApiRequest> m = new EnumMap<>(ApiKey.class);
        m.put(ApiKey.HELLO, new Hello.Request("client-1", Protocol.PROTOCOL_VERSION));
        m.put(ApiKey.METADATA, new Metadata.Request(List.of("orders", "invoices")));
        m.put(ApiKey.CREATE_TOPIC, new CreateTopic.Request("orders", 12));
        m.put(ApiKey.LIST_TOPICS, new ListTopics.Request());
        m.put(ApiKey.DESCRIBE_TOPIC, new DescribeTopic.Request("orders"));
        m.put(ApiKey.INIT_PRODUCER, new InitProducer.Request("billing-relay", "invoices", (short) 3, 0x5EED_CAFE_F00DL));
        m.put(ApiKey.PRODUCE, new Produce.Request("orders", 3, 30_000, Batches.small()));
        m.put(ApiKey.FETCH, new Fetch.Request("orders", 3, 1_000L, 1 << 20, 500));
        m.put(ApiKey.JOIN_GROUP, new JoinGroup.Request("billing", "orders", null, 10_000));
        m.put(ApiKey.LEAVE_GROUP, new LeaveGroup.Request("billing", "member-7"));
        m.put(ApiKey.HEARTBEAT, new Heartbeat.Request("billing", "member-7"));
        m.put(ApiKey.POLL, new Poll.Request("billing", "member-7", 100, 250));
        m.put(ApiKey.ACK, new Ack.Request("billing", "member-7",
                List.of(new Ack.Item(0, 4L, 10L), new Ack.Item(2, 1L, 99L))));
        m.put(ApiKey.NACK, new Nack.Request("billing", "member-7", List.of(new Ack.Item(1, 2L, 5L)),
                "handler threw IllegalStateException: ☃", 1_000));
        m.put(ApiKey.RELEASE_PRODUCER, new ReleaseProducer.Request("semel-cli-☃", (short) -1));
        m.put(ApiKey.LIST_PRODUCERS, new ListProducers.Request("semel-cli-", 50));
        m.put(ApiKey.DELETE_TOPIC, new DeleteTopic.Request("orders"));
        m.put(ApiKey.ADD_PARTITIONS, new AddPartitions.Request("orders", 12));
        m.put(ApiKey.LIST_GROUPS, new ListGroups.Request());
        m.put(ApiKey.DESCRIBE_GROUP, new DescribeGroup.Request("billing"));
        m.put(ApiKey.RESET_GROUP, new ResetGroup.Request("billing", "orders", -1, ResetGroup.Mode.TIMESTAMP,
                1_700_000_000_000L));
        m.put(ApiKey.AUTHENTICATE, new Authenticate.Request(Hello.SCRAM_SHA_256, utf8("n,,n=user,r=abc")));
        return m;
    }

    static Map<ApiKey, ApiResponse> responses() {
        ErrorCode ok = ErrorCode.NONE;
        Map<ApiKey, ApiResponse> m = new EnumMap<>(ApiKey.class);
        m.put(ApiKey.HELLO, new Hello.Response(ok, null, "broker-1", (short) 1, 8 << 20, 1 << 20, Hello.SCRAM_SHA_256));
        m.put(ApiKey.METADATA, new Metadata.Response(ok, null, List.of(new Metadata.TopicMetadata("orders", ok, 12),
                new Metadata.TopicMetadata("nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0))));
        m.put(ApiKey.CREATE_TOPIC, new CreateTopic.Response(ok, null));
        m.put(ApiKey.LIST_TOPICS, new ListTopics.Response(ok, null, List.of(new ListTopics.Topic("orders", 12))));
        m.put(ApiKey.DESCRIBE_TOPIC, new DescribeTopic.Response(ok, null,
                List.of(new DescribeTopic.PartitionOffsets(0, 0L, 17L), new DescribeTopic.PartitionOffsets(1, 5L, 5L))));
        m.put(ApiKey.INIT_PRODUCER, new InitProducer.Response(ok, null, 42L, (short) 3,
                List.of(new InitProducer.PartitionSequence(0, -1L), new InitProducer.PartitionSequence(1, 77L))));
        m.put(ApiKey.PRODUCE, new Produce.Response(ok, "duplicate of an earlier send", 100L, 101L, true));
        m.put(ApiKey.FETCH, new Fetch.Response(ok, null, 0L, 5L,
                List.of(Batches.small(), Batches.ofRecords(3).withBaseOffset(2L))));
        m.put(ApiKey.JOIN_GROUP, new JoinGroup.Response(ok, null, "member-7"));
        m.put(ApiKey.LEAVE_GROUP, new LeaveGroup.Response(ok, null));
        m.put(ApiKey.HEARTBEAT, new Heartbeat.Response(ok, null, List.of(new Heartbeat.Lease(0, 4L))));
        m.put(ApiKey.POLL, Poll.Response.of(ok, null, List.of(
                new Delivery("orders", 0, 10L, 1, 4L, 1_700_000_000_000L, utf8("k"), utf8("v"),
                        List.of(Header.of("trace", "t1"))),
                new Delivery("orders", 2, 99L, 3, 1L, 0L, null, null, List.of()))));
        m.put(ApiKey.ACK, new Ack.Response(ok, null, List.of(new Ack.Result(0, 10L, ok),
                new Ack.Result(2, 99L, ErrorCode.STALE_LEASE))));
        m.put(ApiKey.NACK, new Nack.Response(ok, null, List.of(new Ack.Result(1, 5L, ok))));
        m.put(ApiKey.RELEASE_PRODUCER, new ReleaseProducer.Response(ok, null, ReleaseProducer.Outcome.RELEASED, 7L));
        m.put(ApiKey.LIST_PRODUCERS, new ListProducers.Response(ok, null, 3, List.of(
                new ListProducers.Producer(7L, "relay", (short) 2, 1_700_000_000_000L, false,
                        List.of(new ListProducers.PartitionState("orders", 1, 41L, 1_699_999_999_000L))),
                new ListProducers.Producer(9L, "semel-cli-x", (short) 0, 5L, true, List.of()))));
        m.put(ApiKey.DELETE_TOPIC, new DeleteTopic.Response(ok, null));
        m.put(ApiKey.ADD_PARTITIONS, new AddPartitions.Response(ok, null));
        m.put(ApiKey.LIST_GROUPS, new ListGroups.Response(ok, null, List.of(new ListGroups.Group("billing", "orders",
                12, 2))));
        m.put(ApiKey.DESCRIBE_GROUP, new DescribeGroup.Response(ok, null, "orders",
                List.of(new DescribeGroup.Member("member-3", 10_000L)),
                List.of(new DescribeGroup.Progress(0, "member-3", 4L, 10L, 17L, 2, 3, 1, 1, 0L, 40L, 28L),
                        new DescribeGroup.Progress(1, null, 0L, 0L, 0L, 0, 0, 0, 0, 0L, 0L, 0L))));
        m.put(ApiKey.RESET_GROUP, new ResetGroup.Response(ok, null, List.of(new ResetGroup.Position(0, 5L),
                new ResetGroup.Position(1, 0L))));
        m.put(ApiKey.AUTHENTICATE, new Authenticate.Response(ok, null, utf8("v=abc="), true));
        return m;
    }
}
