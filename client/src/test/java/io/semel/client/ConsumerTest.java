package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.Ack;
import io.semel.protocol.ApiKey;
import io.semel.protocol.Delivery;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsumerTest {
    private final ScriptedBroker broker;

    ConsumerTest() throws Exception {
        broker = new ScriptedBroker().topic("orders", 2);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    /** Handing out 10 messages a poll, fetching up to {@code fetchMax}. */
    private Consumer.Builder builder(int fetchMax) {
        return Consumer.builder(broker.bootstrap()).clientId("consumer-test").group("billing").topic("orders")
                .sessionTimeoutMs(3_000).heartbeatIntervalMs(50).maxPollMessages(10).fetchMaxMessages(fetchMax)
                .pollTimeoutMs(20).requestTimeoutMs(2_000);
    }

    /** Fetching no more than it hands out (fetching ahead has tests of its own, with {@link #fetching}). */
    private Consumer consumer() {
        return builder(10).nackBackoffMs(250).build();
    }

    private Consumer fetching(int fetchMax) {
        return builder(fetchMax).build();
    }

    private static Delivery delivery(long offset) {
        return new Delivery("orders", 0, offset, 1, 3, 1_000L + offset, null,
                ("v" + offset).getBytes(StandardCharsets.UTF_8), List.of(Header.of("h", "x")));
    }

    @Test
    void joinsHeartbeatsPollsAcksNacksAndLeavesWithTheRightRequests() {
        broker.deliveries.add(delivery(5));
        broker.deliveries.add(delivery(6));
        try (Consumer c = consumer()) {
            JoinGroup.Request join = broker.<JoinGroup.Request>requests(ApiKey.JOIN_GROUP).get(0);
            assertThat(join).isEqualTo(new JoinGroup.Request("billing", "orders", null, 3_000));
            assertThat(c.memberId()).isEqualTo("member-1");
            Wait.until(() -> broker.requests(ApiKey.HEARTBEAT).size() >= 3, 3_000, "heartbeats");
            assertThat(broker.<Heartbeat.Request>requests(ApiKey.HEARTBEAT))
                    .allSatisfy(h -> assertThat(h).isEqualTo(new Heartbeat.Request("billing", "member-1")));
            assertThat(c.leases()).containsEntry(0, 3L);

            List<Message> got = c.poll(Duration.ofMillis(100));
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL).get(0))
                    .isEqualTo(new Poll.Request("billing", "member-1", 10, 100));
            assertThat(got).extracting(Message::offset).containsExactly(5L, 6L);
            Message m = got.get(0);
            assertThat(m.leaseEpoch()).isEqualTo(3);
            assertThat(m.deliveryCount()).isEqualTo(1);
            assertThat(m.timestampMs()).isEqualTo(1_005L);
            assertThat(new String(m.value(), StandardCharsets.UTF_8)).isEqualTo("v5");
            assertThat(m.headers()).containsExactly(Header.of("h", "x"));

            c.ack(m);
            c.nack(got.get(1), "boom");
            assertThat(broker.<Ack.Request>requests(ApiKey.ACK).get(0))
                    .isEqualTo(new Ack.Request("billing", "member-1", List.of(new Ack.Item(0, 3, 5))));
            assertThat(broker.<Nack.Request>requests(ApiKey.NACK).get(0))
                    .isEqualTo(new Nack.Request("billing", "member-1", List.of(new Ack.Item(0, 3, 6)), "boom", 250));
        }
        assertThat(broker.<LeaveGroup.Request>requests(ApiKey.LEAVE_GROUP))
                .containsExactly(new LeaveGroup.Request("billing", "member-1"));
    }

    /** Against a broker from before ACK v2 the consumer falls back to per-item acks, once and for good. */
    @Test
    void acksFallBackToVersion1WhenTheBrokerDoesNotReadRanges() {
        broker.ackVersionMax = Ack.VERSION_ITEMS;
        broker.deliveries.add(delivery(5));
        broker.deliveries.add(delivery(6));
        try (Consumer c = consumer()) {
            List<Message> got = c.poll(Duration.ofMillis(100));
            assertThat(c.ack(got)).extracting(AckResult::error).containsOnly(ErrorCode.NONE);
            c.ack(got.get(0));
            assertThat(broker.<Ack.Request>requests(ApiKey.ACK)).extracting(Ack.Request::version)
                    .containsExactly(Ack.VERSION_RANGES, Ack.VERSION_ITEMS, Ack.VERSION_ITEMS);
        }
    }

    /** A batch's acks ride on the next POLL (no ACK request); their results come back with its answer. */
    @Test
    void acksWithTheNextPollRideOnItAndCompleteWithItsAnswer() {
        broker.staleOffsets.add(6L);
        broker.deliveries.add(delivery(5));
        broker.deliveries.add(delivery(6));
        try (Consumer c = consumer()) {
            List<Message> got = c.poll(Duration.ofMillis(100));
            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(got);
            assertThat(acked).isNotDone();
            broker.deliveries.add(delivery(7));
            List<Message> next = c.poll(Duration.ofMillis(100));

            assertThat(next).extracting(Message::offset).containsExactly(7L);
            assertThat(acked).isCompleted();
            assertThat(acked.join()).extracting(AckResult::error).containsExactly(ErrorCode.NONE, ErrorCode.STALE_LEASE);
            assertThat(acked.join()).extracting(r -> r.message().offset()).containsExactly(5L, 6L);
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls.get(0).acks()).isEmpty();
            assertThat(polls.get(0).ackSequence()).isZero();
            assertThat(polls.get(1).acks()).containsExactly(new Ack.Item(0, 3, 5), new Ack.Item(0, 3, 6));
            assertThat(polls.get(1).ackSequence()).isEqualTo(1);
            assertThat(polls.get(1).version()).isEqualTo(Poll.VERSION_RUNS);
            assertThat(broker.requests(ApiKey.ACK)).isEmpty();
        }
    }

    /** Part of a batch, or a list of the caller's own, acks exactly its messages, not the batch's. */
    @Test
    void aSubListOfABatchAcksOnlyItsOwnMessages() {
        for (long o = 5; o <= 8; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = consumer()) {
            List<Message> got = c.poll(Duration.ofMillis(100));
            assertThat(got).extracting(Message::offset).containsExactly(5L, 6L, 7L, 8L);
            assertThatThrownBy(() -> got.remove(0)).as("poll's list is unmodifiable")
                    .isInstanceOf(UnsupportedOperationException.class);
            c.ackWithNextPoll(got.subList(1, 3));
            c.ackWithNextPoll(new ArrayList<>(List.of(got.get(3), got.get(0))));
            c.poll(Duration.ofMillis(50));

            assertThat(broker.<Poll.Request>requests(ApiKey.POLL).get(1).acks()).containsExactly(
                    new Ack.Item(0, 3, 6), new Ack.Item(0, 3, 7), new Ack.Item(0, 3, 8), new Ack.Item(0, 3, 5));
        }
    }

    /**
     * Prefetch: a poll that returns a full batch sends the next POLL at once (not waiting at the
     * broker), and the next poll hands out its answer; the acks given meanwhile ride on the POLL sent
     * then, and complete with its answer. Without prefetch no POLL is sent before the caller asks.
     */
    @Test
    void withPrefetchAFullBatchSendsTheNextPollAheadAndAcksRideOnTheOneAfter() throws Exception {
        for (long o = 0; o < 25; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = builder(10).prefetch(true).build()) {
            List<Message> first = c.poll(Duration.ofMillis(100));
            assertThat(first).extracting(Message::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            Wait.until(() -> broker.requests(ApiKey.POLL).size() == 2, 2_000, "the POLL sent ahead");
            Poll.Request aheadPoll = broker.<Poll.Request>requests(ApiKey.POLL).get(1);
            assertThat(aheadPoll.maxWaitMs()).as("a poll sent ahead does not wait at the broker").isZero();
            assertThat(aheadPoll.acks()).isEmpty();

            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(first);
            List<Message> second = c.poll(Duration.ofMillis(100));
            assertThat(second).extracting(Message::offset).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L,
                    18L, 19L);
            Wait.until(() -> broker.requests(ApiKey.POLL).size() == 3, 2_000, "the next POLL sent ahead");
            Poll.Request withAcks = broker.<Poll.Request>requests(ApiKey.POLL).get(2);
            assertThat(withAcks.acks()).as("the first batch's acks ride on the POLL sent by the second poll")
                    .hasSize(10).allMatch(i -> i.offset() < 10);
            assertThat(withAcks.ackSequence()).isEqualTo(1);

            List<Message> third = c.poll(Duration.ofMillis(100));
            assertThat(third).extracting(Message::offset).containsExactly(20L, 21L, 22L, 23L, 24L);
            assertThat(acked).isCompleted();
            assertThat(acked.join()).extracting(AckResult::error).containsOnly(ErrorCode.NONE);

            // The queue is empty: the POLL sent ahead finds nothing, and the poll asks again, waiting.
            assertThat(c.poll(Duration.ofMillis(30))).isEmpty();
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls).extracting(Poll.Request::maxWaitMs).containsExactly(100, 0, 0, 0, 30);
        }
    }

    /**
     * Fetching ahead: before the caller's pace is known a POLL asks for one batch; once the caller
     * handled a batch fast, for up to fetchMaxMessages. Polls hand the rest out maxPollMessages at a
     * time with no request, and the acks of those batches ride together on the next POLL.
     */
    @Test
    void aFastCallerFetchesAheadAndTheAcksOfTheBatchesHandedOutMeanwhileRideOnTheNextPoll() {
        for (long o = 0; o < 35; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = fetching(40)) {
            List<Message> first = c.poll(Duration.ofMillis(100));
            CompletableFuture<List<AckResult>> acked1 = c.ackWithNextPoll(first);
            List<Message> second = c.poll(Duration.ofMillis(100));
            CompletableFuture<List<AckResult>> acked2 = c.ackWithNextPoll(second);
            List<Message> third = c.poll(Duration.ofMillis(100));
            CompletableFuture<List<AckResult>> acked3 = c.ackWithNextPoll(third);
            List<Message> fourth = c.poll(Duration.ofMillis(100));
            CompletableFuture<List<AckResult>> acked4 = c.ackWithNextPoll(fourth);
            assertThat(first).extracting(Message::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(second).extracting(Message::offset).startsWith(10L).endsWith(19L).hasSize(10);
            assertThat(third).extracting(Message::offset).startsWith(20L).endsWith(29L).hasSize(10);
            assertThat(fourth).extracting(Message::offset).containsExactly(30L, 31L, 32L, 33L, 34L);
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL)).extracting(Poll.Request::maxMessages)
                    .as("one batch before the pace is known, then up to fetchMaxMessages").containsExactly(10, 40);
            assertThat(acked1).isCompleted();
            assertThat(acked2).as("its acks wait for the next POLL, after what was fetched ran out").isNotDone();

            assertThat(c.poll(Duration.ofMillis(20))).isEmpty();
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls).hasSize(3);
            assertThat(polls.get(2).acks()).extracting(Ack.Item::offset)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(10, 35).boxed().toList());
            for (CompletableFuture<List<AckResult>> f : List.of(acked2, acked3, acked4)) {
                assertThat(f).isCompleted();
                assertThat(f.join()).extracting(AckResult::error).containsOnly(ErrorCode.NONE);
            }
            // One answer's results, cut per ackWithNextPoll call: each future gets its own batch's, read-only.
            assertThat(acked2.join()).extracting(AckResult::message).containsExactlyElementsOf(second);
            assertThat(acked3.join()).extracting(AckResult::message).containsExactlyElementsOf(third);
            assertThat(acked4.join()).extracting(AckResult::message).containsExactlyElementsOf(fourth);
            assertThatThrownBy(() -> acked3.join().set(0, null)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    /** A caller slower than 100 ms of handling per fetch never has more leased than its own batch. */
    @Test
    void aSlowCallerFetchesNoMoreThanItsBatch() throws Exception {
        for (long o = 0; o < 30; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = fetching(40)) {
            assertThat(c.poll(Duration.ofMillis(100))).hasSize(10);
            Thread.sleep(150); // 15 ms a message: 100 ms of handling is 6 messages, fewer than a batch
            assertThat(c.poll(Duration.ofMillis(100))).hasSize(10);
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL)).extracting(Poll.Request::maxMessages)
                    .containsExactly(10, 10);
        }
    }

    @Test
    void fetchSizeIsTheBatchUntilThePaceIsKnownThenWhatTheCallerHandlesIn100MsWithinTheBounds() {
        assertThat(Consumer.fetchSize(10, 40, -1)).as("nothing measured").isEqualTo(10);
        assertThat(Consumer.fetchSize(10, 40, 1_000)).as("1 us a message: capped").isEqualTo(40);
        assertThat(Consumer.fetchSize(10, 40, 4_000_000)).as("4 ms a message: 25 in 100 ms").isEqualTo(25);
        assertThat(Consumer.fetchSize(10, 40, 50_000_000)).as("never below the batch").isEqualTo(10);
        assertThat(Consumer.fetchSize(10, 5, 0)).as("fetchMaxMessages below the batch: off").isEqualTo(10);
        assertThat(Consumer.fetchSize(10, 40, 0)).isEqualTo(40);
    }

    /**
     * A broker whose pollMessagesMax is below the fetch refuses the POLL before applying its acks:
     * the consumer asks again for its batch with the same acks, and fetches no more than a batch
     * from then on.
     */
    @Test
    void aBrokerRefusingTheFetchMakesTheConsumerAskForItsBatchWithTheSameAcks() {
        broker.pollMessagesMax = 10;
        for (long o = 0; o < 30; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = fetching(40)) {
            List<Message> first = c.poll(Duration.ofMillis(100));
            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(first);
            assertThat(c.poll(Duration.ofMillis(100))).extracting(Message::offset).startsWith(10L).hasSize(10);
            assertThat(c.poll(Duration.ofMillis(100))).extracting(Message::offset).startsWith(20L).hasSize(10);
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls).extracting(Poll.Request::maxMessages).containsExactly(10, 40, 10, 10);
            assertThat(polls.get(2).acks()).as("the refused POLL's acks, sent again").isEqualTo(polls.get(1).acks())
                    .hasSize(10);
            assertThat(acked).isCompleted();
            assertThat(acked.join()).extracting(AckResult::error).containsOnly(ErrorCode.NONE);
        }
    }

    /**
     * A POLL sent ahead (prefetch) that the broker refuses for its size applied none of its acks:
     * they ride on the next POLL, which asks for the batch only.
     */
    @Test
    void acksOnAPollSentAheadAndRefusedForItsSizeRideOnTheNextPoll() throws Exception {
        broker.pollMessagesMax = 10;
        for (long o = 0; o < 30; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = builder(40).prefetch(true).build()) {
            List<Message> first = c.poll(Duration.ofMillis(100)); // its POLL ahead: the pace is not known yet
            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(first);
            assertThat(c.poll(Duration.ofMillis(100))).extracting(Message::offset).startsWith(10L).hasSize(10);
            Wait.until(() -> broker.requests(ApiKey.POLL).size() == 3, 2_000, "the larger POLL sent ahead");
            assertThat(c.poll(Duration.ofMillis(100))).extracting(Message::offset).startsWith(20L).hasSize(10);
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls).extracting(Poll.Request::maxMessages).startsWith(10, 10, 40, 10);
            assertThat(polls.get(2).acks()).hasSize(10);
            assertThat(polls.get(3).acks()).as("the refused POLL's acks, sent again").isEqualTo(polls.get(2).acks());
            assertThat(acked.join()).extracting(AckResult::error).containsOnly(ErrorCode.NONE);
        }
    }

    @Test
    void fetchMaxMessagesOutsideItsRangeIsRefusedByTheBuilder() {
        for (int bad : new int[] {0, -1, io.semel.protocol.Protocol.MAX_LIST_ITEMS + 1}) {
            assertThatThrownBy(() -> builder(bad).build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fetchMaxMessages must be in 1..");
        }
    }

    @Test
    void withoutPrefetchNoPollIsSentBeforeTheCallerAsks() throws Exception {
        for (long o = 0; o < 25; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = consumer()) {
            assertThat(c.poll(Duration.ofMillis(100))).hasSize(10);
            Thread.sleep(100);
            assertThat(broker.requests(ApiKey.POLL)).hasSize(1);
        }
    }

    /**
     * POLL v3 answered ahead of the group log: the answer carries the acks' results, but their future
     * completes only when an answer reports them durable (here the next poll's), and in order.
     */
    @Test
    void acksAnsweredAheadCompleteWhenALaterAnswerReportsThemDurable() {
        broker.acksDurableOneAnswerLate = true;
        broker.deliveries.add(delivery(5));
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> first = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
            broker.deliveries.add(delivery(6));
            CompletableFuture<List<AckResult>> second = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
            assertThat(first).as("applied, not yet reported durable").isNotDone();
            c.poll(Duration.ofMillis(10));
            assertThat(first).isCompleted();
            assertThat(first.join()).extracting(r -> r.message().offset()).containsExactly(5L);
            assertThat(second).isNotDone();
        }
    }

    /**
     * flushAcks settles applied acks not yet reported durable with a HEARTBEAT on the poll's
     * connection: the broker answers it only once every earlier decision of the group is durable.
     */
    @Test
    void flushAcksConfirmsAppliedAcksWithAHeartbeatOnThePollsConnection() {
        broker.acksDurableOneAnswerLate = true;
        broker.deliveries.add(delivery(5));
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> acked = appliedNotYetReportedDurable(c);
            c.flushAcks();
            assertThat(acked.join()).extracting(AckResult::error).containsExactly(ErrorCode.NONE);
            List<ScriptedBroker.Received> received = broker.received();
            ScriptedBroker.Received poll = received.stream().filter(x -> x.request().apiKey() == ApiKey.POLL)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(received).as("a HEARTBEAT after the last POLL, on its connection")
                    .anyMatch(x -> x.request().apiKey() == ApiKey.HEARTBEAT && x.connection() == poll.connection()
                            && x.atNanos() > poll.atNanos());
            assertThat(broker.requests(ApiKey.ACK)).isEmpty();
        }
    }

    /**
     * A broker that never reports acks durable in its answers cannot make the consumer keep applied
     * acks without bound: at ACKS_AWAITING_DURABLE_MAX the next poll first confirms them with a HEARTBEAT.
     */
    @Test
    void appliedAcksAwaitingDurabilityAreBoundedByAHeartbeat() {
        broker.acksNeverReportedDurable = true;
        try (Consumer c = consumer()) {
            List<CompletableFuture<List<AckResult>>> acked = new java.util.ArrayList<>();
            for (int i = 0; i < Consumer.ACKS_AWAITING_DURABLE_MAX; i++) {
                acked.add(c.ackWithNextPoll(messages(i, 1)));
                c.poll(Duration.ZERO);
            }
            assertThat(acked).noneMatch(CompletableFuture::isDone);
            int heartbeatsBefore = (int) broker.received().stream()
                    .filter(x -> x.request().apiKey() == ApiKey.HEARTBEAT && x.connection() == connectionOfLastPoll())
                    .count();
            c.poll(Duration.ZERO);
            assertThat(acked).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(broker.received().stream()
                    .filter(x -> x.request().apiKey() == ApiKey.HEARTBEAT && x.connection() == connectionOfLastPoll())
                    .count()).as("one HEARTBEAT on the poll's connection").isEqualTo(heartbeatsBefore + 1);
        }
    }

    private int connectionOfLastPoll() {
        return broker.received().stream().filter(x -> x.request().apiKey() == ApiKey.POLL).reduce((a, b) -> b)
                .orElseThrow().connection();
    }

    /** Acks one polled batch with the next poll, which the broker answers without reporting them durable yet. */
    private static CompletableFuture<List<AckResult>> appliedNotYetReportedDurable(Consumer c) {
        CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
        c.poll(Duration.ofMillis(10));
        assertThat(acked).as("applied, not yet reported durable").isNotDone();
        return acked;
    }

    /**
     * Acks applied but not yet reported durable when the member turns out to be gone: their outcome
     * can no longer be learnt, so their future fails (acking again is safe), and the consumer rejoins.
     */
    @Test
    void appliedAcksNotYetReportedDurableFailWhenTheMemberIsGone() {
        broker.acksDurableOneAnswerLate = true;
        broker.deliveries.add(delivery(5));
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> acked = appliedNotYetReportedDurable(c);
            broker.handle(ApiKey.POLL, req -> Poll.Response.error(ErrorCode.UNKNOWN_GROUP_MEMBER, "expired"));
            assertThat(c.poll(Duration.ofMillis(10))).isEmpty();
            assertThat(acked).isCompletedExceptionally();
            assertThatThrownBy(acked::join).hasMessageContaining("outcome unknown");
            assertThat(broker.requests(ApiKey.JOIN_GROUP)).as("joined again").hasSize(2);
        }
    }

    /** A broker that reads POLL v2 but not v3: the acks' results are durable with the answer, as before. */
    @Test
    void withAVersion2BrokerAcksCompleteWithThePollTheyRodeOn() {
        broker.pollVersionMax = Poll.VERSION_WITH_ACKS;
        broker.deliveries.add(delivery(5));
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
            c.poll(Duration.ofMillis(10));
            assertThat(acked).isCompleted();
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL)).extracting(Poll.Request::version)
                    .containsExactly(Poll.VERSION_RUNS, Poll.VERSION_ACKS_AHEAD, Poll.VERSION_WITH_ACKS,
                            Poll.VERSION_WITH_ACKS);
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL).get(3).acks()).hasSize(1);
        }
    }

    /** A broker that reads POLL v3 but not v4: deliveries come one by one, acks are numbered as before. */
    @Test
    void aVersion3BrokerDeliversOneByOneAndStillReportsDurability() {
        broker.pollVersionMax = Poll.VERSION_ACKS_AHEAD;
        broker.deliveries.add(delivery(5));
        broker.deliveries.add(delivery(6));
        try (Consumer c = consumer()) {
            List<Message> got = c.poll(Duration.ofMillis(100));
            assertThat(got).extracting(Message::offset).containsExactly(5L, 6L);
            assertThat(got).extracting(m -> new String(m.value(), StandardCharsets.UTF_8))
                    .containsExactly("v5", "v6");
            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(got);
            c.poll(Duration.ofMillis(10));
            assertThat(acked).isCompleted();
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL)).extracting(Poll.Request::version)
                    .containsExactly(Poll.VERSION_RUNS, Poll.VERSION_ACKS_AHEAD, Poll.VERSION_ACKS_AHEAD);
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL).get(2).ackSequence()).isEqualTo(1);
        }
    }

    /**
     * At most ACKS_PER_POLL_MAX acks ride on one poll (the broker's default acksPerRequestMax); with more waiting,
     * they all go first as ACK requests of at most that many, and the poll carries none.
     */
    @Test
    void acksBeyondWhatOnePollCarriesGoAsAckRequestsOfThatSizeFirst() {
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> fits = c.ackWithNextPoll(messages(0, Consumer.ACKS_PER_POLL_MAX));
            c.poll(Duration.ofMillis(10));
            assertThat(fits.join()).hasSize(Consumer.ACKS_PER_POLL_MAX).allMatch(AckResult::ok);
            assertThat(broker.requests(ApiKey.ACK)).as("exactly the maximum rides on the poll").isEmpty();

            CompletableFuture<List<AckResult>> first = c.ackWithNextPoll(messages(10_000, 3));
            CompletableFuture<List<AckResult>> rest = c.ackWithNextPoll(messages(20_000, Consumer.ACKS_PER_POLL_MAX - 2));
            c.poll(Duration.ofMillis(10));
            assertThat(first.join()).extracting(r -> r.message().offset()).containsExactly(10_000L, 10_001L, 10_002L);
            assertThat(rest.join()).hasSize(Consumer.ACKS_PER_POLL_MAX - 2).allMatch(AckResult::ok);
            assertThat(broker.<Ack.Request>requests(ApiKey.ACK)).extracting(r -> r.items().size())
                    .containsExactly(Consumer.ACKS_PER_POLL_MAX, 1);
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls.get(polls.size() - 1).acks()).as("the poll after the ACK requests").isEmpty();
        }
    }

    /**
     * Prefetch does not send a POLL ahead while more acks wait than one POLL carries: the next poll
     * sends them as ACK requests first (as without prefetch), then polls, and only then fetches ahead.
     */
    @Test
    void prefetchSendsNoPollAheadWhileMoreAcksWaitThanOnePollCarries() throws Exception {
        for (long o = 0; o < 30; o++) {
            broker.deliveries.add(delivery(o));
        }
        try (Consumer c = builder(10).prefetch(true).build()) {
            assertThat(c.poll(Duration.ofMillis(100))).hasSize(10);
            Wait.until(() -> broker.requests(ApiKey.POLL).size() == 2, 2_000, "the POLL sent ahead");
            CompletableFuture<List<AckResult>> many = c.ackWithNextPoll(messages(1_000,
                    Consumer.ACKS_PER_POLL_MAX + 1));

            assertThat(c.poll(Duration.ofMillis(100))).as("what the POLL sent ahead brought").hasSize(10);
            Thread.sleep(100);
            assertThat(broker.requests(ApiKey.POLL)).as("none sent ahead with the acks waiting").hasSize(2);
            assertThat(many).isNotDone();

            assertThat(c.poll(Duration.ofMillis(100))).hasSize(10);
            assertThat(many.join()).hasSize(Consumer.ACKS_PER_POLL_MAX + 1).allMatch(AckResult::ok);
            assertThat(broker.<Ack.Request>requests(ApiKey.ACK)).extracting(r -> r.items().size())
                    .containsExactly(Consumer.ACKS_PER_POLL_MAX, 1);
            Wait.until(() -> broker.requests(ApiKey.POLL).size() == 4, 2_000, "a POLL ahead once they went");
            List<Poll.Request> polls = broker.requests(ApiKey.POLL);
            assertThat(polls).extracting(Poll.Request::maxWaitMs).containsExactly(100, 0, 100, 0);
            assertThat(polls.get(2).acks()).isEmpty();
        }
    }

    /**
     * Prefetch sends no POLL ahead while ACKS_AWAITING_DURABLE_MAX polls' acks wait to be reported
     * durable: the next poll confirms them with a HEARTBEAT first, as without prefetch.
     */
    @Test
    void prefetchSendsNoPollAheadWhileTooManyAppliedAcksAwaitDurability() throws Exception {
        broker.acksNeverReportedDurable = true;
        try (Consumer c = builder(10).prefetch(true).build()) {
            List<CompletableFuture<List<AckResult>>> acked = new java.util.ArrayList<>();
            for (int i = 0; i < Consumer.ACKS_AWAITING_DURABLE_MAX - 1; i++) {
                acked.add(c.ackWithNextPoll(messages(i, 1)));
                c.poll(Duration.ZERO); // nothing to deliver: no POLL sent ahead
            }
            for (long o = 0; o < 20; o++) {
                broker.deliveries.add(delivery(o));
            }
            acked.add(c.ackWithNextPoll(messages(5_000, 1)));
            int pollsBefore = broker.requests(ApiKey.POLL).size();
            assertThat(c.poll(Duration.ofMillis(100))).as("a full batch, with the limit's last acks riding").hasSize(10);
            Thread.sleep(100);
            assertThat(broker.requests(ApiKey.POLL)).as("none sent ahead with the limit reached")
                    .hasSize(pollsBefore + 1);
            assertThat(acked).noneMatch(CompletableFuture::isDone);

            assertThat(c.poll(Duration.ofMillis(100))).hasSize(10);
            assertThat(acked).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            int pollConnection = connectionOfLastPoll(); // not the heartbeat thread's own connection
            List<ApiKey> onIt = broker.received().stream().filter(x -> x.connection() == pollConnection)
                    .map(x -> x.request().apiKey()).filter(k -> k == ApiKey.POLL || k == ApiKey.HEARTBEAT).toList();
            int limitPoll = -1; // where the POLL that reached the limit stands among them
            for (int i = 0, polls = 0; i < onIt.size() && limitPoll < 0; i++) {
                if (onIt.get(i) == ApiKey.POLL && ++polls == pollsBefore + 1) {
                    limitPoll = i;
                }
            }
            assertThat(onIt.subList(limitPoll + 1, limitPoll + 3)).as("confirmed by a HEARTBEAT, then polled")
                    .containsExactly(ApiKey.HEARTBEAT, ApiKey.POLL);
        }
    }

    private static List<Message> messages(long fromOffset, int count) {
        List<Message> out = new java.util.ArrayList<>(count);
        for (long o = fromOffset; o < fromOffset + count; o++) {
            out.add(new Message("orders", 0, o, 1, 3, null, new byte[0], List.of(), 0));
        }
        return out;
    }

    /** Against a broker from before POLL v2: the acks go in an ACK request, the poll in v1, and so on from then. */
    @Test
    void acksWithTheNextPollFallBackToAnAckRequestWhenTheBrokerReadsOnlyPollV1() {
        broker.pollVersionMax = Poll.VERSION_PLAIN;
        broker.deliveries.add(delivery(5));
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> first = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
            c.poll(Duration.ofMillis(10));
            assertThat(first.join()).extracting(AckResult::error).containsExactly(ErrorCode.NONE);
            broker.deliveries.add(delivery(6));
            CompletableFuture<List<AckResult>> second = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
            c.poll(Duration.ofMillis(10));
            assertThat(second.join()).extracting(r -> r.message().offset()).containsExactly(6L);

            assertThat(broker.<Poll.Request>requests(ApiKey.POLL)).extracting(Poll.Request::version)
                    .as("the first poll is refused in v4, v3 and v2 and made again in v1; v1 from then on")
                    .containsExactly(Poll.VERSION_RUNS, Poll.VERSION_ACKS_AHEAD, Poll.VERSION_WITH_ACKS, Poll.VERSION_PLAIN,
                            Poll.VERSION_PLAIN, Poll.VERSION_PLAIN, Poll.VERSION_PLAIN);
            assertThat(broker.<Ack.Request>requests(ApiKey.ACK)).extracting(r -> r.items().get(0).offset())
                    .containsExactly(5L, 6L);
        }
    }

    /** Acks still waiting when the consumer closes are sent before it leaves: leaving would redeliver them. */
    @Test
    void closeSendsTheAcksWaitingForAPollBeforeLeaving() {
        broker.deliveries.add(delivery(5));
        CompletableFuture<List<AckResult>> acked;
        try (Consumer c = consumer()) {
            acked = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
        }
        assertThat(acked.join()).extracting(AckResult::error).containsExactly(ErrorCode.NONE);
        List<String> events = broker.timeline.stream().filter(e -> e.equals("request ACK")
                || e.equals("request LEAVE_GROUP")).toList();
        assertThat(events).containsExactly("request ACK", "request LEAVE_GROUP");
    }

    /** A poll refused as a whole applied none of the acks on it: their future fails, the poll throws. */
    @Test
    void aRefusedPollFailsTheAcksThatRodeOnIt() {
        broker.deliveries.add(delivery(5));
        try (Consumer c = consumer()) {
            CompletableFuture<List<AckResult>> acked = c.ackWithNextPoll(c.poll(Duration.ofMillis(100)));
            broker.handle(ApiKey.POLL, req -> Poll.Response.error(ErrorCode.STORAGE_ERROR, "disk"));
            assertThatThrownBy(() -> c.poll(Duration.ofMillis(10))).isInstanceOf(SemelException.class)
                    .hasMessageContaining("STORAGE_ERROR");
            assertThat(acked).isCompletedExceptionally();
        }
    }

    @Test
    void staleLeaseThrowsForOneMessageAndIsPerItemForAList() {
        broker.staleOffsets.add(6L);
        broker.deliveries.add(delivery(5));
        broker.deliveries.add(delivery(6));
        try (Consumer c = consumer()) {
            List<Message> got = c.poll(Duration.ofMillis(100));
            List<AckResult> results = c.ack(got);
            assertThat(results).extracting(AckResult::error).containsExactly(ErrorCode.NONE, ErrorCode.STALE_LEASE);
            assertThatThrownBy(() -> c.ack(got.get(1))).isInstanceOf(StaleLeaseException.class)
                    .hasMessageContaining("lease epoch 3");
        }
    }

    @Test
    void atMostOnceLoopAcksBeforeTheHandlerRuns() {
        broker.deliveries.add(delivery(1));
        broker.deliveries.add(delivery(2));
        try (Consumer c = consumer()) {
            Thread t = new Thread(() -> c.runAtMostOnce(m -> {
                broker.timeline.add("handled " + m.offset());
                if (m.offset() == 2) {
                    c.stop();
                }
            }));
            t.start();
            Wait.until(() -> !t.isAlive(), 5_000, "loop to stop");
        }
        List<String> events = broker.timeline.stream().filter(e -> e.contains("ACK") || e.startsWith("handled")).toList();
        assertThat(events).containsExactly("request ACK", "handled 1", "handled 2");
        assertThat(broker.<Ack.Request>requests(ApiKey.ACK).get(0).items()).extracting(Ack.Item::offset)
                .containsExactly(1L, 2L);
    }

    @Test
    void atLeastOnceLoopAcksAfterHandlingAndNacksAHandlerException() {
        broker.deliveries.add(delivery(1));
        broker.deliveries.add(delivery(2));
        try (Consumer c = consumer()) {
            Thread t = new Thread(() -> c.runAtLeastOnce(m -> {
                broker.timeline.add("handled " + m.offset());
                if (m.offset() == 2) {
                    c.stop();
                    throw new IllegalStateException("bad order 2");
                }
            }));
            t.start();
            Wait.until(() -> !t.isAlive(), 5_000, "loop to stop");
        }
        List<String> events = broker.timeline.stream()
                .filter(e -> e.contains("ACK") || e.startsWith("handled")).toList();
        // The handled message's ack waits for the next poll; the loop stopped, so its end sent it.
        assertThat(events).containsExactly("handled 1", "handled 2", "request NACK", "request ACK");
        assertThat(broker.<Ack.Request>requests(ApiKey.ACK).get(0).items()).extracting(Ack.Item::offset)
                .containsExactly(1L);
        Nack.Request nack = broker.<Nack.Request>requests(ApiKey.NACK).get(0);
        assertThat(nack.items()).extracting(Ack.Item::offset).containsExactly(2L);
        assertThat(nack.reason()).contains("IllegalStateException").contains("bad order 2");
    }

    @Test
    void pollWithAMaximumLeasesAtMostThatManyAndNeverMoreThanMaxPollMessages() {
        for (long offset = 0; offset < 15; offset++) {
            broker.deliveries.add(delivery(offset));
        }
        try (Consumer c = consumer()) {
            assertThat(c.poll(Duration.ofMillis(100), 3)).extracting(Message::offset).containsExactly(0L, 1L, 2L);
            assertThat(c.poll(Duration.ofMillis(100), 50)).hasSize(10); // maxPollMessages(10)
            assertThat(broker.<Poll.Request>requests(ApiKey.POLL)).extracting(Poll.Request::maxMessages)
                    .containsExactly(3, 10);
            assertThatThrownBy(() -> c.poll(Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxMessages must be >= 1, was 0");
        }
    }

    @Test
    void closedConsumerRefusesPoll() {
        Consumer c = consumer();
        c.close();
        c.close();
        assertThatThrownBy(() -> c.poll(Duration.ZERO)).isInstanceOf(ClientClosedException.class);
    }
}
