package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.DeadLetterRequest;
import io.semel.protocol.Ack;
import io.semel.protocol.Delivery;
import io.semel.protocol.DeliveryRun;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.LogRecord;
import io.semel.protocol.Poll;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Consumer groups end to end: a real broker with its group coordinator, over TCP on loopback. */
class ConsumerGroupTest extends BrokerTestSupport {
    private static final String G = "g";
    static final String T = "t";

    @Override
    BrokerConfig.Builder configBuilder() {
        return super.configBuilder().groupTickMs(20).sessionTimeoutMinMs(200);
    }

    @Test
    void producedMessagesAreDeliveredOnceAcrossPartitionsAndAckedForGood() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 3);
            Set<String> produced = produce(c, 3, 10);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, produced.size());
            assertThat(got).extracting(TestClient::value).containsExactlyInAnyOrderElementsOf(produced);
            assertThat(got).extracting(Delivery::partition).containsOnly(0, 1, 2);
            assertThat(got).allSatisfy(d -> assertThat(d.deliveryCount()).isEqualTo(1));
            Ack.Response ack = c.ack(G, m, got);
            assertThat(ack.error()).isEqualTo(ErrorCode.NONE);
            assertThat(ack.results()).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
            assertThat(c.deliveries(G, m, 100, 300)).as("nothing after everything was acked").isEmpty();
        }
    }

    /**
     * A waiting POLL is woken by the partition writer's durable-end publication, not by a re-poll
     * timer: with the group tick (which also re-checks waiting polls) an hour away, a message
     * produced while the poll waits is delivered by that very poll, long before its deadline.
     */
    @Test
    void aWaitingPollIsWokenByTheDurableEndOfAHeldPartition() throws Exception {
        startBroker(configBuilder().groupTickMs(60_000).build());
        try (TestClient consumer = TestClient.hello(broker.port()); TestClient producer = TestClient.hello(broker.port())) {
            createTopic(producer, T, 2);
            String m = consumer.join(G, T, 120_000);
            int pollId = consumer.send(new io.semel.protocol.Poll.Request(G, m, 10, 60_000));
            Set<String> produced = produce(producer, 1, 3);
            // The wait is 60 s; receive() gives up after the client's 20 s socket timeout: answered early or failed.
            TestClient.Answer answer = consumer.receive();
            assertThat(answer.requestId()).isEqualTo(pollId);
            io.semel.protocol.Poll.Response r = (io.semel.protocol.Poll.Response) answer.response();
            assertThat(r.deliveries()).as("woken by the produce, not answered empty at the deadline")
                    .extracting(TestClient::value).containsExactlyInAnyOrderElementsOf(produced);
        }
    }

    /**
     * The group log holds an in-order batch as ranges: a poll of 300 new messages is one
     * DeliveredRange record and their ack, sent in order, one SettledRange record, not 300 of each;
     * and a restart replays them into the same settled state.
     */
    @Test
    void anInOrderAckedBatchIsOneRangeRecordInTheGroupLog() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 300);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, 300);
            assertThat(c.ack(G, m, got).results()).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
        }
        broker.close();
        List<io.semel.broker.group.GroupRecord> records = groupLogRecords().get(G);
        assertThat(records).filteredOn(r -> r instanceof io.semel.broker.group.GroupRecord.Settled
                || r instanceof io.semel.broker.group.GroupRecord.Delivered).isEmpty();
        assertThat(records).contains(
                new io.semel.broker.group.GroupRecord.DeliveredRange(0, 0, 299, 1),
                new io.semel.broker.group.GroupRecord.SettledRange(0, 0, 299,
                        io.semel.broker.group.GroupRecord.SettleReason.ACKED));
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            assertThat(c.deliveries(G, m, 100, 300)).as("all 300 settled after replaying the ranges").isEmpty();
        }
    }

    /** A client from before ACK v2 (per-item layout) is still understood and answered in its layout. */
    @Test
    void aVersion1AckIsAnsweredInVersion1() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 3);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, 3);
            List<Ack.Item> items = items(got);
            Ack.Response r = c.call(new Ack.Request(G, m, items, Ack.VERSION_ITEMS), Ack.Response.class);
            assertThat(r.version()).isEqualTo(Ack.VERSION_ITEMS);
            assertThat(r.results()).extracting(Ack.Result::error).containsExactly(ErrorCode.NONE, ErrorCode.NONE,
                    ErrorCode.NONE);
            assertThat(c.deliveries(G, m, 100, 300)).isEmpty();
        }
    }

    /**
     * POLL v2: the acks of one batch ride on the poll for the next. They are settled (not delivered
     * again, after a restart too), answered with the new deliveries, and written to the group log in
     * the same batch as those deliveries: one append, one fsync, where ACK then POLL took two.
     */
    @Test
    void aPollCarryingAcksSettlesThemAndWritesThemInOneBatchWithItsDeliveries() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 600);
            String m = c.join(G, T, 10_000);
            List<Delivery> first = pollUntil(c, m, 300);
            Poll.Response r = c.call(new Poll.Request(G, m, 300, 1_000, items(first)), Poll.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
            assertThat(r.version()).isEqualTo(Poll.VERSION_WITH_ACKS);
            assertThat(r.ackResults()).hasSize(300).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
            assertThat(r.ackResults()).extracting(Ack.Result::offset).containsExactlyElementsOf(
                    first.stream().map(Delivery::offset).toList());
            assertThat(r.deliveries()).extracting(Delivery::offset).first().isEqualTo(300L);
            assertThat(r.deliveries()).hasSize(300);
        }
        broker.close();
        List<List<io.semel.broker.group.GroupRecord>> batches = groupLogBatches();
        assertThat(batches).as("one batch holds the acks of the first 300 and the delivery of the next 300")
                .anySatisfy(b -> assertThat(b).contains(
                        new io.semel.broker.group.GroupRecord.SettledRange(0, 0, 299,
                                io.semel.broker.group.GroupRecord.SettleReason.ACKED),
                        new io.semel.broker.group.GroupRecord.DeliveredRange(0, 300, 599, 1)));
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            List<Delivery> again = pollUntil(c, m, 300);
            assertThat(again).as("the acked 300 stay settled; the unacked 300 come again")
                    .allSatisfy(d -> assertThat(d.offset()).isBetween(300L, 599L));
            assertThat(c.deliveries(G, m, 1_000, 300)).isEmpty();
        }
    }

    /**
     * POLL v3: numbered acks ride on the poll, which is answered below the delivery horizon without
     * waiting for the group log; the answer says how far the member's acks are durable, and a
     * HEARTBEAT on the same connection (answered once everything before it is durable) makes the
     * next answer report them. Durable means settled for good: after a restart they stay settled.
     */
    /**
     * POLL v4 sends each stored batch's records on as one run, cut where the poll's budget ends; a v3
     * poll of another group gets the same deliveries one by one.
     */
    @Test
    void aVersion4PollSendsTheRecordsOfEachStoredBatchAsOneRun() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            List<String> values = new ArrayList<>();
            for (int b = 0; b < 3; b++) {
                String[] batch = new String[100];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = "b" + b + "-" + i;
                }
                values.addAll(List.of(batch));
                assertThat(c.call(new Produce.Request(T, 0, 0, TestClient.plainBatch(batch)), Produce.Response.class)
                        .error()).isEqualTo(ErrorCode.NONE);
            }
            String m = c.join(G, T, 10_000);
            Poll.Response r = c.call(new Poll.Request(G, m, 250, 1_000), Poll.Response.class);
            assertThat(r.version()).isEqualTo(Poll.VERSION_RUNS);
            assertThat(r.runs()).extracting(DeliveryRun::firstOffset).containsExactly(0L, 100L, 200L);
            assertThat(r.runs()).extracting(run -> run.records().count()).containsExactly(100, 100, 50);
            assertThat(r.runs()).allSatisfy(run -> assertThat(run.deliveryCount()).isEqualTo(1));
            assertThat(r.deliveries()).extracting(TestClient::value).containsExactlyElementsOf(values.subList(0, 250));

            String other = c.join("other", T, 10_000);
            Poll.Response v3 = c.call(new Poll.Request("other", other, 250, 1_000, List.of(), 0,
                    Poll.VERSION_ACKS_AHEAD), Poll.Response.class);
            assertThat(v3.version()).isEqualTo(Poll.VERSION_ACKS_AHEAD);
            assertThat(v3.deliveries()).extracting(Delivery::offset, TestClient::value, Delivery::timestampMs)
                    .containsExactlyElementsOf(r.deliveries().stream()
                            .map(d -> org.assertj.core.groups.Tuple.tuple(d.offset(), TestClient.value(d), d.timestampMs()))
                            .toList());
        }
    }

    @Test
    void aVersion3PollReportsItsAcksDurableApartFromTheirResults() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 900);
            String m = c.join(G, T, 10_000);
            List<Delivery> first = pollUntil(c, m, 300);
            Poll.Response r = c.call(new Poll.Request(G, m, 300, 1_000, items(first), 1, Poll.VERSION_ACKS_AHEAD),
                    Poll.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
            assertThat(r.version()).isEqualTo(Poll.VERSION_ACKS_AHEAD);
            assertThat(r.ackResults()).hasSize(300).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
            assertThat(r.acksDurableThrough()).as("this poll's own acks at most").isBetween(0L, 1L);
            assertThat(r.deliveries()).hasSize(300).first().extracting(Delivery::offset).isEqualTo(300L);

            assertThat(c.call(new io.semel.protocol.Heartbeat.Request(G, m), io.semel.protocol.Heartbeat.Response.class)
                    .error()).isEqualTo(ErrorCode.NONE);
            Poll.Response next = c.call(new Poll.Request(G, m, 300, 1_000, items(r.deliveries()), 2,
                    Poll.VERSION_ACKS_AHEAD), Poll.Response.class);
            assertThat(next.acksDurableThrough()).as("the first acks are durable by now").isGreaterThanOrEqualTo(1L);
            assertThat(next.deliveries()).hasSize(300).first().extracting(Delivery::offset).isEqualTo(600L);
        }
        broker.close();
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            List<Delivery> again = pollUntil(c, m, 300);
            assertThat(again).as("the first 300 stay settled; 600..899, delivered and unacked, come again")
                    .allSatisfy(d -> assertThat(d.offset()).isGreaterThanOrEqualTo(300L));
        }
    }

    /**
     * The delivery horizon is retracted at a clean shutdown: after a clean restart the offsets the
     * group never handed out come with deliveryCount 1, not with the one delivery a crash would
     * make replay assume for them.
     */
    @Test
    void aCleanRestartAssumesNoDeliveryBelowTheHorizon() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 10);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = c.deliveries(G, m, 3, 1_000);
            assertThat(got).hasSize(3);
            assertThat(c.ack(G, m, got).error()).isEqualTo(ErrorCode.NONE);
        }
        broker.close();
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            List<Delivery> rest = pollUntil(c, m, 7);
            assertThat(rest).extracting(Delivery::offset).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(rest).extracting(Delivery::deliveryCount).containsOnly(1);
        }
    }

    /** Acks on a poll that finds nothing to deliver are applied at once; their results come when the poll answers. */
    @Test
    void acksOnAWaitingPollAreAnsweredWhenItIs() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 3);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, 3);
            long t0 = System.nanoTime();
            Poll.Response r = c.call(new Poll.Request(G, m, 10, 300, items(got)), Poll.Response.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("waited for deliveries")
                    .isGreaterThanOrEqualTo(250);
            assertThat(r.deliveries()).isEmpty();
            assertThat(r.ackResults()).extracting(Ack.Result::error).containsExactly(ErrorCode.NONE, ErrorCode.NONE,
                    ErrorCode.NONE);
        }
        broker.close();
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            assertThat(c.deliveries(G, m, 10, 300)).as("settled for good").isEmpty();
        }
    }

    /**
     * A refused poll (unknown member, or more messages than pollMessagesMax) applies none of its acks,
     * so a client may send them again; a version-1 poll is answered in version 1.
     */
    @Test
    void aRefusedPollAppliesNoAcksAndVersion1IsAnsweredInVersion1() throws Exception {
        startBroker(configBuilder().pollMessagesMax(50).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 2);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, 2);
            Poll.Response refused = c.call(new Poll.Request(G, "nobody", 10, 0, items(got)), Poll.Response.class);
            assertThat(refused.error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
            assertThat(refused.ackResults()).isEmpty();
            Poll.Response tooMany = c.call(new Poll.Request(G, m, 51, 0, items(got), 1, Poll.VERSION_RUNS),
                    Poll.Response.class);
            assertThat(tooMany.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(tooMany.errorMessage()).contains("pollMessagesMax").contains("nothing applied");
            Poll.Response v1 = c.call(new Poll.Request(G, m, 10, 0, List.of(), Poll.VERSION_PLAIN), Poll.Response.class);
            assertThat(v1.version()).isEqualTo(Poll.VERSION_PLAIN);
            assertThat(v1.error()).isEqualTo(ErrorCode.NONE);
            assertThat(c.ack(G, m, got).results()).as("still unsettled, so the owner's ack is not stale")
                    .extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
        }
    }

    private static List<Ack.Item> items(List<Delivery> ds) {
        return ds.stream().map(d -> new Ack.Item(d.partition(), d.leaseEpoch(), d.offset())).toList();
    }

    /** The group log's records batch by batch, read from the files of a closed broker. */
    private List<List<io.semel.broker.group.GroupRecord>> groupLogBatches() throws Exception {
        List<List<io.semel.broker.group.GroupRecord>> out = new ArrayList<>();
        for (RecordBatch b : groupLogRawBatches()) {
            out.add(io.semel.broker.internal.GroupJournalReader.records(List.of(b)).getOrDefault(G, List.of()));
        }
        return out;
    }

    /** The group log's records by group, read from the files of a closed broker. */
    private Map<String, List<io.semel.broker.group.GroupRecord>> groupLogRecords() throws Exception {
        return io.semel.broker.internal.GroupJournalReader.records(groupLogRawBatches());
    }

    private List<RecordBatch> groupLogRawBatches() throws Exception {
        io.semel.log.LogConfig config = io.semel.log.LogConfig.builder().maxBatchBytes(32 * 1024 * 1024)
                .maxRecordBytes(32 * 1024 * 1024).build();
        try (io.semel.log.Partition p = io.semel.log.Partition.open(new io.semel.log.FileStorage(
                dataDir.resolve(io.semel.broker.internal.GroupJournalReader.DIR)), config, 1,
                java.time.Clock.systemUTC())) {
            List<RecordBatch> batches = new ArrayList<>();
            long next = p.startOffset();
            while (next < p.nextOffset()) {
                for (RecordBatch b : p.read(next, 1 << 20)) {
                    batches.add(b);
                    next = b.nextOffset();
                }
            }
            return batches;
        }
    }

    @Test
    void anUnackedMessageIsRedeliveredWithCountTwoAfterTheAckTimeout() throws Exception {
        startBroker(configBuilder().ackTimeoutMs(300).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 1);
            String m = c.join(G, T, 10_000);
            Delivery first = pollUntil(c, m, 1).get(0);
            assertThat(first.deliveryCount()).isEqualTo(1);
            long start = System.nanoTime();
            Delivery again = c.deliveries(G, m, 10, 5_000).get(0);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
            assertThat(again.offset()).isEqualTo(first.offset());
            assertThat(again.deliveryCount()).isEqualTo(2);
            assertThat(c.ack(G, m, List.of(again)).results()).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
        }
    }

    @Test
    void aMessageNackedPastMaxDeliveriesLandsInTheDlqOnceAndIsNotDeliveredAgain() throws Exception {
        startBroker(configBuilder().maxDeliveries(2).nackBackoffMs(10).nackBackoffMaxMs(20).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            RecordBatch batch = RecordBatch.of(1_000L, List.of(new LogRecord("k".getBytes(), "poison".getBytes(),
                    List.of(Header.of("app", "x")))));
            assertThat(c.call(new Produce.Request(T, 0, 0, batch), Produce.Response.class).error())
                    .isEqualTo(ErrorCode.NONE);
            String m = c.join(G, T, 10_000);
            for (int count = 1; count <= 2; count++) {
                Delivery d = pollUntil(c, m, 1).get(0);
                assertThat(d.deliveryCount()).isEqualTo(count);
                assertThat(c.nack(G, m, List.of(d), "boom " + count).results()).extracting(Ack.Result::error)
                        .containsOnly(ErrorCode.NONE);
            }
            List<RecordBatch> dlq = awaitRecords(c, T + ".dlq", 1);
            LogRecord copy = dlq.get(0).records().get(0);
            assertThat(new String(copy.key())).isEqualTo("k");
            assertThat(new String(copy.value())).isEqualTo("poison");
            Map<String, String> h = headers(copy);
            assertThat(h).containsEntry("app", "x")
                    .containsEntry(DeadLetterRequest.H_REASON, DeadLetterRequest.REASON_MAX_DELIVERIES)
                    .containsEntry(DeadLetterRequest.H_ERROR, "boom 2")
                    .containsEntry(DeadLetterRequest.H_DELIVERY_COUNT, "2")
                    .containsEntry(DeadLetterRequest.H_TOPIC, T)
                    .containsEntry(DeadLetterRequest.H_OFFSET, "0")
                    .containsEntry(DeadLetterRequest.H_GROUP, G);
            assertThat(dlq.get(0).hasProducer()).as("copied by the idempotent DLQ producer").isTrue();
            assertThat(c.deliveries(G, m, 10, 500)).as("dead-lettered means settled").isEmpty();
        }
        restartBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            assertThat(c.deliveries(G, m, 10, 300)).as("still settled after a restart").isEmpty();
            assertThat(TestClient.values(fetchAll(c, T + ".dlq", 0))).containsExactly("poison");
        }
    }

    @Test
    void whenALeaseMovesTheOldHoldersAckIsStaleAndTheNewHolderGetsAHigherCount() throws Exception {
        startBroker();
        try (TestClient a = TestClient.hello(broker.port()); TestClient b = TestClient.hello(broker.port())) {
            createTopic(a, T, 2);
            produce(a, 2, 1);
            String ma = a.join(G, T, 10_000);
            List<Delivery> held = pollUntil(a, ma, 2);
            String mb = b.join(G, T, 10_000); // takes one of A's two partitions
            Heartbeat.Response hb = b.heartbeat(G, mb);
            assertThat(hb.leases()).hasSize(1);
            int moved = hb.leases().get(0).partition();
            assertThat(hb.leases().get(0).leaseEpoch()).isGreaterThan(epochOf(held, moved));
            Ack.Response ack = a.ack(G, ma, held);
            for (Ack.Result r : ack.results()) {
                assertThat(r.error()).as("partition %d", r.partition())
                        .isEqualTo(r.partition() == moved ? ErrorCode.STALE_LEASE : ErrorCode.NONE);
            }
            Delivery redelivered = pollUntil(b, mb, 1).get(0);
            assertThat(redelivered.partition()).isEqualTo(moved);
            assertThat(redelivered.deliveryCount()).isEqualTo(2);
            assertThat(b.ack(G, mb, List.of(redelivered)).results()).extracting(Ack.Result::error)
                    .containsOnly(ErrorCode.NONE);
        }
    }

    @Test
    void aSilentMemberExpiresAndItsMessageGoesToTheNextMember() throws Exception {
        startBroker();
        try (TestClient a = TestClient.hello(broker.port()); TestClient b = TestClient.hello(broker.port())) {
            createTopic(a, T, 1);
            produce(a, 1, 1);
            String ma = a.join(G, T, 300);
            Delivery d = pollUntil(a, ma, 1).get(0);
            String mb = b.join(G, T, 10_000);
            // A stops heartbeating; B long-polls and gets the message once A's session ends.
            Delivery again = b.deliveries(G, mb, 10, 5_000).get(0);
            assertThat(again.offset()).isEqualTo(d.offset());
            assertThat(again.deliveryCount()).isEqualTo(2);
            assertThat(again.leaseEpoch()).isGreaterThan(d.leaseEpoch());
            assertThat(a.ack(G, ma, List.of(d)).error()).as("expired member").isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
            String ma2 = a.join(G, T, 10_000);
            assertThat(a.ack(G, ma2, List.of(d)).results()).extracting(Ack.Result::error)
                    .containsOnly(ErrorCode.STALE_LEASE);
            assertThat(b.ack(G, mb, List.of(again)).results()).extracting(Ack.Result::error)
                    .containsOnly(ErrorCode.NONE);
        }
    }

    @Test
    void groupStateSurvivesARestart() throws Exception {
        startBroker();
        List<Delivery> inFlight;
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 2);
            produce(c, 2, 3);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, 6);
            List<Delivery> acked = got.subList(0, 3);
            inFlight = got.subList(3, 6);
            assertThat(c.ack(G, m, acked).results()).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
        }
        restartBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            List<Delivery> again = pollUntil(c, m, 3);
            assertThat(again).extracting(TestClient::value)
                    .containsExactlyInAnyOrderElementsOf(inFlight.stream().map(TestClient::value).toList());
            assertThat(again).allSatisfy(d -> assertThat(d.deliveryCount()).isGreaterThanOrEqualTo(2));
            assertThat(c.ack(G, m, again).results()).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
            assertThat(c.deliveries(G, m, 10, 300)).isEmpty();
        }
    }

    @Test
    void aCompactedGroupLogReplaysToTheSameStateAndKeepsDeadLetterNumbering() throws Exception {
        BrokerConfig config = configBuilder().segmentBytes(4096).groupLogCompactBytes(1024).maxDeliveries(2)
                .nackBackoffMs(10).nackBackoffMaxMs(20).build();
        startBroker(config);
        Set<String> acked = new HashSet<>();
        List<Delivery> inFlight;
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            produce(c, 1, 120);
            String m = c.join(G, T, 10_000);
            List<Delivery> got = pollUntil(c, m, 120);
            for (Delivery d : got.subList(0, 100)) { // one ack at a time: many small group-log appends
                assertThat(c.ack(G, m, List.of(d)).results()).extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
                acked.add(TestClient.value(d));
            }
            assertThat(c.nack(G, m, List.of(got.get(100)), "first poison").results()).extracting(Ack.Result::error)
                    .containsOnly(ErrorCode.NONE);
            Delivery retried = pollUntil(c, m, 1).get(0);
            assertThat(retried.deliveryCount()).isEqualTo(2);
            assertThat(c.nack(G, m, List.of(retried), "first poison").results()).extracting(Ack.Result::error)
                    .containsOnly(ErrorCode.NONE);
            awaitRecords(c, T + ".dlq", 1);
            inFlight = got.subList(101, 120);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (io.semel.log.LogInspector.inspect(dataDir.resolve("groups")).segments().get(0).baseOffset() == 0) {
            assertThat(System.nanoTime()).as("old group-log segments deleted by compaction").isLessThan(deadline);
            Thread.sleep(20);
        }
        broker.close();
        startBroker(config);
        try (TestClient c = TestClient.hello(broker.port())) {
            String m = c.join(G, T, 10_000);
            List<Delivery> again = pollUntil(c, m, inFlight.size());
            assertThat(again).extracting(TestClient::value)
                    .containsExactlyInAnyOrderElementsOf(inFlight.stream().map(TestClient::value).toList());
            assertThat(again).allSatisfy(d -> assertThat(d.deliveryCount()).isGreaterThanOrEqualTo(2));
            assertThat(again).extracting(TestClient::value).doesNotContainAnyElementsOf(acked);
            // A second dead letter after compaction and restart must not reuse the first one's sequence.
            assertThat(c.nack(G, m, List.of(again.get(0)), "second poison").results())
                    .extracting(Ack.Result::error).containsOnly(ErrorCode.NONE);
            List<RecordBatch> dlq = awaitRecords(c, T + ".dlq", 2);
            assertThat(TestClient.values(dlq)).containsExactly("p0-100", TestClient.value(again.get(0)));
        }
    }

    @Test
    void groupErrorsAreMappedToResponseCodes() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, T, 1);
            assertThat(c.call(new io.semel.protocol.JoinGroup.Request(G, "ghost", null, 10_000),
                    io.semel.protocol.JoinGroup.Response.class).error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(c.call(new io.semel.protocol.JoinGroup.Request(G, T, null, 50),
                    io.semel.protocol.JoinGroup.Response.class).error()).as("below sessionTimeoutMinMs")
                    .isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(c.poll(G, "nobody", 1, 0).error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
            String m = c.join(G, T, 10_000);
            assertThat(c.heartbeat(G, "nobody").error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
            assertThat(c.call(new Ack.Request(G, m, List.of(new Ack.Item(5, 1, 0))), Ack.Response.class).results())
                    .extracting(Ack.Result::error).containsOnly(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            long epoch = c.heartbeat(G, m).leases().get(0).leaseEpoch();
            assertThat(c.call(new Ack.Request(G, m, List.of(new Ack.Item(0, epoch, 7))), Ack.Response.class).results())
                    .extracting(Ack.Result::error).containsOnly(ErrorCode.OFFSET_OUT_OF_RANGE);
            assertThat(c.leave(G, m).error()).isEqualTo(ErrorCode.NONE);
            assertThat(c.leave(G, m).error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Produces {@code perPartition} values to each partition; returns them. */
    static Set<String> produce(TestClient c, int partitions, int perPartition) throws IOException {
        Set<String> values = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            List<String> vs = new ArrayList<>();
            for (int i = 0; i < perPartition; i++) {
                vs.add("p" + p + "-" + i);
            }
            Produce.Response r = c.call(new Produce.Request(T, p, 0, TestClient.plainBatch(vs.toArray(String[]::new))),
                    Produce.Response.class);
            assertThat(r.error()).as("produce: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
            values.addAll(vs);
        }
        return values;
    }

    /** Polls until {@code n} deliveries arrived (asserting no more than n within the time). */
    static List<Delivery> pollUntil(TestClient c, String member, int n) throws IOException {
        List<Delivery> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < n) {
            assertThat(System.nanoTime()).as("%d deliveries in time, have %s", n, got).isLessThan(deadline);
            got.addAll(c.deliveries(G, member, n - got.size(), 200));
        }
        assertThat(got).hasSize(n);
        return got;
    }

    private static long epochOf(List<Delivery> ds, int partition) {
        return ds.stream().filter(d -> d.partition() == partition).findFirst().orElseThrow().leaseEpoch();
    }

    private static List<RecordBatch> awaitRecords(TestClient c, String topic, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<RecordBatch> all = fetchAll(c, topic, 0);
            if (TestClient.values(all).size() >= n) {
                assertThat(TestClient.values(all)).hasSize(n);
                return all;
            }
            assertThat(System.nanoTime()).as("%d records in %s in time", n, topic).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static Map<String, String> headers(LogRecord r) {
        Map<String, String> out = new HashMap<>();
        r.headers().forEach(h -> out.put(h.key(), h.valueAsString()));
        return out;
    }
}
