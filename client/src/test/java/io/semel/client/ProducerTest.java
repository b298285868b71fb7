package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.internal.Murmur2;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.LogRecord;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProducerTest {
    private final ScriptedBroker broker;
    private final List<Producer> producers = new ArrayList<>();

    ProducerTest() throws Exception {
        broker = new ScriptedBroker().topic("orders", 4).topic("one", 1);
    }

    @AfterEach
    void stop() throws Exception {
        producers.forEach(p -> p.close(Duration.ZERO));
        broker.close();
    }

    private Producer.Builder builder() {
        return Producer.builder(broker.bootstrap()).clientId("producer-test").name("p1").lingerMs(0)
                .requestTimeoutMs(1_000).retryBackoffMs(10).retryBackoffMaxMs(50).deliveryTimeoutMs(5_000);
    }

    private Producer build(Producer.Builder b) {
        Producer p = b.build();
        producers.add(p);
        return p;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SendResult get(CompletableFuture<SendResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void keyedRecordsGoToTheirMurmur2PartitionWhateverTheKeylessRule() throws Exception {
        for (KeylessPartitioning rule : KeylessPartitioning.values()) {
            Producer p = build(builder().name("p-" + rule).keylessPartitioning(rule));
            for (int i = 0; i < 3; i++) {
                assertThat(get(p.send("orders", b("foobar"), b("v"))).partition()).as("%s", rule).isEqualTo(2);
                get(p.send("orders", null, b("keyless between keyed")));
                assertThat(get(p.send("orders", b("abc"), b("v"))).partition()).as("%s", rule).isEqualTo(3);
            }
        }
        assertThat(Murmur2.partition(b("foobar"), 4)).isEqualTo(2);
    }

    @Test
    void roundRobinSendsEachKeylessRecordToTheNextPartition() throws Exception {
        Producer p = build(builder().keylessPartitioning(KeylessPartitioning.ROUND_ROBIN).lingerMs(60_000));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fs.add(p.send("orders", null, b("v" + i)));
        }
        p.flush();
        List<Integer> partitions = new ArrayList<>();
        for (CompletableFuture<SendResult> f : fs) {
            partitions.add(get(f).partition());
        }
        assertThat(partitions).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
    }

    /**
     * The sticky rule with a stick of one batch: keyless records fill one partition's batch (as many
     * as fit batchBytesMax), then the next partition's; the batch left behind is full and goes
     * without waiting for the linger. Round-robin would put consecutive records on different
     * partitions and fail both halves.
     */
    @Test
    void stickyKeylessSendsFillOnePartitionsBatchBeforeMovingOnAndTheFullBatchNeedNotLinger() throws Exception {
        int batchBytes = 1_000;
        byte[] value = new byte[100];
        int recordBytes = new LogRecord(null, value, List.of()).encodedSize();
        int perBatch = (batchBytes - RecordBatch.HEADER_BYTES) / recordBytes;
        Producer p = build(builder().lingerMs(60_000).batchBytesMax(batchBytes).keylessStickBytes(batchBytes));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < perBatch * 8 + 1; i++) {
            fs.add(p.send("orders", null, value));
        }
        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < perBatch * 8; i++) {
            // No flush: each of these batches was full, so it left at once despite lingerMs 60 s.
            partitions.add(get(fs.get(i)).partition());
        }
        assertRunsOf(perBatch, 8, partitions);
        List<Produce.Request> produces = broker.requests(ApiKey.PRODUCE);
        assertThat(produces).hasSize(8);
        for (Produce.Request r : produces) {
            assertThat(r.batch().recordCount()).isEqualTo(perBatch);
            assertThat(r.batch().sizeInBytes()).isLessThanOrEqualTo(batchBytes);
        }
    }

    /** By default a stick is ten batches: one partition gets them all, cut to batchBytesMax, before the next. */
    @Test
    void byDefaultAStickSpansTenBatchesOfOnePartition() throws Exception {
        int batchBytes = 1_000;
        byte[] value = new byte[100];
        int recordBytes = new LogRecord(null, value, List.of()).encodedSize();
        int perStick = (Producer.Builder.KEYLESS_STICK_BATCHES * batchBytes - RecordBatch.HEADER_BYTES) / recordBytes;
        Producer p = build(builder().lingerMs(60_000).batchBytesMax(batchBytes));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < perStick * 4 + 1; i++) {
            fs.add(p.send("orders", null, value));
        }
        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < perStick * 4; i++) {
            partitions.add(get(fs.get(i)).partition());
        }
        assertRunsOf(perStick, 4, partitions);
        List<Produce.Request> produces = broker.requests(ApiKey.PRODUCE);
        assertThat(produces.size()).as("about ten batches per stick").isBetween(4 * 10, 4 * 11);
        for (Produce.Request r : produces) {
            assertThat(r.batch().sizeInBytes()).isLessThanOrEqualTo(batchBytes);
        }
    }

    /** {@code runs} runs of {@code length} records, each on one partition and each on another than the one before. */
    private static void assertRunsOf(int length, int runs, List<Integer> partitions) {
        for (int run = 0; run < runs; run++) {
            List<Integer> stick = partitions.subList(run * length, (run + 1) * length);
            assertThat(stick).as("stick %d of %d records: %s", run, length, partitions).containsOnly(stick.get(0));
            if (run > 0) {
                assertThat(stick.get(0)).as("moved on after stick %d", run - 1)
                        .isNotEqualTo(partitions.get(run * length - 1));
            }
        }
        assertThat(Set.copyOf(partitions)).as("four sticks or more cover every partition").hasSize(4);
    }

    /**
     * A batch leaving does not end a stick (KIP-794's rule, not KIP-480's): sent one at a time, records
     * still go to one partition until its byte budget is spent, and rounds spread sticks evenly.
     */
    @Test
    void aBatchLeavingDoesNotEndTheStickOnlyTheBudgetDoes() throws Exception {
        byte[] value = new byte[8];
        int recordBytes = new LogRecord(null, value, List.of()).encodedSize();
        Producer p = build(builder().lingerMs(0).keylessStickBytes(RecordBatch.HEADER_BYTES + 3 * recordBytes));
        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            partitions.add(get(p.send("orders", null, value)).partition()); // each record's batch leaves alone
        }
        assertRunsOf(3, 16, partitions);
        for (int partition = 0; partition < 4; partition++) {
            assertThat(java.util.Collections.frequency(partitions, partition)).as("partition %d of %s", partition,
                    partitions).isEqualTo(12);
        }
    }

    @Test
    void aKeylessStickOfNoBytesIsRefused() {
        assertThatThrownBy(() -> builder().keylessStickBytes(0).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keylessStickBytes 0");
    }

    @Test
    void manySendsBecomeFewProduceRequests() throws Exception {
        Producer p = build(builder().lingerMs(100));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            fs.add(p.send("one", b("value-" + i)));
        }
        Set<Long> offsets = new HashSet<>();
        for (CompletableFuture<SendResult> f : fs) {
            offsets.add(get(f).offset());
        }
        assertThat(offsets).hasSize(200);
        List<Produce.Request> produces = broker.requests(ApiKey.PRODUCE);
        assertThat(produces.size()).isLessThanOrEqualTo(5);
        assertThat(produces.stream().mapToInt(r -> r.batch().recordCount()).sum()).isEqualTo(200);
    }

    @Test
    void batchesRespectBatchBytesMax() throws Exception {
        Producer p = build(builder().lingerMs(50).batchBytesMax(1_000));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(p.send("one", new byte[100]));
        }
        for (CompletableFuture<SendResult> f : fs) {
            get(f);
        }
        for (Produce.Request r : broker.<Produce.Request>requests(ApiKey.PRODUCE)) {
            assertThat(r.batch().sizeInBytes()).isLessThanOrEqualTo(1_000);
        }
    }

    @Test
    void idempotentRetryAfterALostReplyResendsTheSameIdentityAndIsADuplicate() throws Exception {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Drop());
        Producer p = build(builder());
        SendResult r = get(p.send("one", b("k"), b("hello")));
        assertThat(r.duplicate()).isTrue();
        assertThat(r.offset()).isEqualTo(0);
        List<Produce.Request> sent = broker.requests(ApiKey.PRODUCE);
        assertThat(sent).hasSize(2);
        RecordBatch first = sent.get(0).batch();
        RecordBatch retry = sent.get(1).batch();
        assertThat(first.producerId()).isEqualTo(7);
        assertThat(retry.producerId()).isEqualTo(first.producerId());
        assertThat(retry.producerEpoch()).isEqualTo(first.producerEpoch());
        assertThat(retry.baseSequence()).isEqualTo(first.baseSequence()).isEqualTo(0);
        assertThat(broker.log("one", 0)).hasSize(1);
        assertThat(p.stats()).isEqualTo(new ProducerStats(1, 1, 0, 0));
    }

    @Test
    void aBatchReportedUnknownKeepsItsSequenceSoALateCopyCannotShadowTheNextRecords() throws Exception {
        // Every attempt of the first record is stuck in the network past its delivery timeout; the
        // copies land later. The next record must never be numbered into the first one's sequence,
        // or a late copy would make it "confirmed" with the first record's offset.
        for (int i = 0; i < 40; i++) {
            broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Hold(1_500));
        }
        Producer p = build(builder().deliveryTimeoutMs(400));
        CompletableFuture<SendResult> first = p.send("one", b("k"), b("first"));
        assertThatThrownBy(() -> get(first)).hasCauseInstanceOf(OutcomeUnknownException.class);
        broker.heal(ApiKey.PRODUCE); // the network heals; the held copies of "first" still land later
        SendResult second = get(p.send("one", b("k"), b("second")));

        assertThat(second.duplicate()).isFalse();
        for (Produce.Request r : broker.<Produce.Request>requests(ApiKey.PRODUCE)) {
            String value = new String(r.batch().records().get(0).value(), StandardCharsets.UTF_8);
            assertThat(r.batch().baseSequence()).as("sequence of a request for %s", value)
                    .isEqualTo(value.equals("first") ? 0 : 1);
        }
        Thread.sleep(1_600); // every held copy has landed by now
        assertThat(broker.log("one", 0)).hasSize(2);
        assertThat(second.offset()).isEqualTo(1);
    }

    @Test
    void sequencesContinueFromTheBrokersHighestPersistedSequence() throws Exception {
        broker.persistedSequence("one", 0, 41);
        Producer p = build(builder());
        get(p.send("one", b("a")));
        get(p.send("one", b("b")));
        List<Produce.Request> sent = broker.requests(ApiKey.PRODUCE);
        assertThat(sent.get(0).batch().baseSequence()).isEqualTo(42);
        assertThat(sent.get(1).batch().baseSequence()).isEqualTo(43);
    }

    @Test
    void afterACutConnectionInFlightBatchesAreResentAndAppendedOnceInOrder() throws Exception {
        broker.defaultProduceDelayMs = 100;
        Producer p = build(builder().batchBytesMax(RecordBatch.HEADER_BYTES + 20));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(p.send("one", new byte[] {(byte) i}));
        }
        Wait.until(() -> broker.requests(ApiKey.PRODUCE).size() >= 3, 3_000, "three produces in flight");
        broker.dropAllConnections();
        broker.defaultProduceDelayMs = 0;
        for (CompletableFuture<SendResult> f : fs) {
            get(f);
        }
        // Every batch was applied before the cut and answered as a duplicate after it, or applied after
        // it; a batch that overtook a resend was refused out of order and resent: never twice, never reordered.
        assertThat(broker.log("one", 0)).extracting(v -> (int) v[0]).containsExactly(0, 1, 2, 3, 4);
        assertThat(broker.connectionCount()).isGreaterThanOrEqualTo(2);
        assertThat(broker.requests(ApiKey.PRODUCE).size()).isGreaterThan(5);
        assertThat(p.stats().confirmed()).isEqualTo(5);
    }

    @Test
    void outOfOrderBehindABatchBeingRetriedIsRetriedAndOrderIsKept() throws Exception {
        broker.defaultProduceDelayMs = 50;
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Fail(ErrorCode.STORAGE_ERROR));
        Producer p = build(builder().batchBytesMax(RecordBatch.HEADER_BYTES + 20));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fs.add(p.send("one", new byte[] {(byte) i}));
        }
        for (CompletableFuture<SendResult> f : fs) {
            get(f);
        }
        // Batches 1 and 2 reached the broker before batch 0's retry and were refused out of order.
        assertThat(broker.requests(ApiKey.PRODUCE).size()).isGreaterThan(3);
        assertThat(broker.log("one", 0)).extracting(v -> (int) v[0]).containsExactly(0, 1, 2);
        assertThat(p.stats()).isEqualTo(new ProducerStats(3, 0, 0, 0));
    }

    @Test
    void atMostOnceDoesNotRetryALostReply() {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Drop());
        Producer p = build(builder().guarantee(DeliveryGuarantee.AT_MOST_ONCE));
        CompletableFuture<SendResult> f = p.send("one", b("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(OutcomeUnknownException.class);
        assertThat(broker.requests(ApiKey.PRODUCE)).hasSize(1);
        assertThat(broker.requests(ApiKey.INIT_PRODUCER)).isEmpty();
        assertThat(p.stats().unknown()).isEqualTo(1);
    }

    @Test
    void atMostOnceRequestTimeoutIsAnUnknownOutcome() {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Delay(3_000));
        Producer p = build(builder().guarantee(DeliveryGuarantee.AT_MOST_ONCE).requestTimeoutMs(150));
        CompletableFuture<SendResult> f = p.send("one", b("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("150 ms");
    }

    @Test
    void atLeastOnceRetriesWithoutProducerIdAndDuplicates() throws Exception {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Drop());
        Producer p = build(builder().guarantee(DeliveryGuarantee.AT_LEAST_ONCE));
        SendResult r = get(p.send("one", b("x")));
        assertThat(r.duplicate()).isFalse();
        List<Produce.Request> sent = broker.requests(ApiKey.PRODUCE);
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(req -> {
            assertThat(req.batch().producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
            assertThat(req.batch().baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
        });
        assertThat(broker.log("one", 0)).hasSize(2); // the duplicate this guarantee allows
        assertThat(broker.requests(ApiKey.INIT_PRODUCER)).isEmpty();
    }

    @Test
    void inFlightBatchesPerPartitionNeverExceedTheLimit() throws Exception {
        broker.defaultProduceDelayMs = 20;
        Producer p = build(builder().batchBytesMax(RecordBatch.HEADER_BYTES + 20).deliveryTimeoutMs(20_000));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fs.add(p.send("one", new byte[8]));
        }
        for (CompletableFuture<SendResult> f : fs) {
            get(f);
        }
        assertThat(broker.maxUnansweredProduces("one", 0)).isBetween(2, Producer.IN_FLIGHT_BATCHES_LIMIT);
    }

    @Test
    void aConfiguredInFlightLimitBelowTheMaximumIsKept() throws Exception {
        broker.defaultProduceDelayMs = 20;
        Producer p = build(builder().inFlightBatchesMax(2).batchBytesMax(RecordBatch.HEADER_BYTES + 20)
                .deliveryTimeoutMs(20_000));
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fs.add(p.send("one", new byte[8]));
        }
        for (CompletableFuture<SendResult> f : fs) {
            get(f);
        }
        assertThat(broker.maxUnansweredProduces("one", 0)).isEqualTo(2);
    }

    @Test
    void retriableErrorBacksOffThenSucceedsWithTheSameSequence() throws Exception {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Fail(ErrorCode.STORAGE_ERROR),
                new ScriptedBroker.Fail(ErrorCode.STORAGE_ERROR));
        Producer p = build(builder().retryBackoffMs(50).retryBackoffMaxMs(200));
        SendResult r = get(p.send("one", b("x")));
        assertThat(r.duplicate()).isFalse();
        List<ScriptedBroker.Received> produces = broker.received().stream()
                .filter(x -> x.request().apiKey() == ApiKey.PRODUCE).toList();
        assertThat(produces).hasSize(3);
        long firstGapMs = (produces.get(1).atNanos() - produces.get(0).atNanos()) / 1_000_000;
        long secondGapMs = (produces.get(2).atNanos() - produces.get(1).atNanos()) / 1_000_000;
        assertThat(firstGapMs).isGreaterThanOrEqualTo(45);
        assertThat(secondGapMs).isGreaterThanOrEqualTo(95); // exponential
        assertThat(produces).allSatisfy(x -> assertThat(((Produce.Request) x.request()).batch().baseSequence())
                .isEqualTo(0));
    }

    @Test
    void definiteErrorFailsTheSendWithItsCode() {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Fail(ErrorCode.MESSAGE_TOO_LARGE));
        Producer p = build(builder());
        CompletableFuture<SendResult> f = p.send("one", b("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DefiniteFailureException.class)
                .satisfies(e -> assertThat(((SemelException) e).errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
        assertThat(p.stats().failed()).isEqualTo(1);
    }

    /** Names are checked before any request, every time: a bad name is never remembered as checked. */
    @Test
    void anIllegalTopicNameIsRefusedBeforeAnythingIsSentEveryTime() throws Exception {
        Producer p = build(builder());
        p.send("one", b("x")).get(5, TimeUnit.SECONDS);
        int metadataRequests = broker.requests(ApiKey.METADATA).size();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> p.send("no/slash", b("x"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("illegal character '/'");
            assertThatThrownBy(() -> p.partitionCount("")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.send(null, b("x"))).isInstanceOf(NullPointerException.class);
        }
        assertThat(broker.requests(ApiKey.METADATA)).hasSize(metadataRequests);
        assertThat(p.send("one", b("y")).get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void unknownTopicFailsDefinitely() {
        Producer p = build(builder());
        assertThatThrownBy(() -> p.send("nope", b("x")).get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(DefiniteFailureException.class).hasMessageContaining("create it first");
    }

    @Test
    void producerFencedIsFatalForPendingAndLaterSends() throws Exception {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Fail(ErrorCode.PRODUCER_FENCED));
        Producer p = build(builder());
        CompletableFuture<SendResult> f = p.send("one", b("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(FatalProducerException.class);
        CompletableFuture<SendResult> later = p.send("one", b("y"));
        assertThatThrownBy(() -> later.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(FatalProducerException.class)
                .satisfies(e -> assertThat(((SemelException) e).errorCode()).isEqualTo(ErrorCode.PRODUCER_FENCED));
        assertThat(broker.requests(ApiKey.PRODUCE)).hasSize(1);
    }

    @Test
    void lostDedupStateIsATypedFatalErrorForPendingAndLaterSends() {
        broker.onNext(ApiKey.PRODUCE, new ScriptedBroker.Fail(ErrorCode.DEDUP_STATE_UNKNOWN));
        Producer p = build(builder());
        CompletableFuture<SendResult> f = p.send("one", b("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DedupStateUnknownException.class)
                .satisfies(e -> assertThat(((SemelException) e).retriable()).isFalse());
        assertThatThrownBy(() -> p.send("one", b("y")).get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(DedupStateUnknownException.class).hasMessageContaining("refuses sends after a fatal error");
        assertThat(broker.requests(ApiKey.PRODUCE)).hasSize(1);
    }

    @Test
    void retriedInitProducersOfOneInstanceCarryItsTokenAndANewInstanceAnother() throws Exception {
        broker.handle(ApiKey.INIT_PRODUCER, req -> InitProducer.Response.error(ErrorCode.TOO_MANY_PRODUCERS,
                "scripted: producer table full"));
        Producer p = build(builder().deliveryTimeoutMs(300));
        assertThatThrownBy(() -> p.send("one", b("x")).get(5, TimeUnit.SECONDS)).cause()
                .hasMessageContaining("TOO_MANY_PRODUCERS");
        Producer q = build(builder().deliveryTimeoutMs(300));
        assertThatThrownBy(() -> q.send("one", b("x")).get(5, TimeUnit.SECONDS)).cause()
                .hasMessageContaining("TOO_MANY_PRODUCERS");
        List<Long> tokens = broker.<InitProducer.Request>requests(ApiKey.INIT_PRODUCER).stream()
                .map(InitProducer.Request::instanceToken).distinct().toList();
        // The broker answers a retry with the same token without a bump; a new instance must differ.
        assertThat(tokens).hasSize(2).doesNotContain(InitProducer.NO_INSTANCE_TOKEN);
    }

    @Test
    void aRecordWaitingForAnInitProducerThatKeepsFailingFailsAtItsDeliveryTimeout() {
        // A retriable refusal (here TOO_MANY_PRODUCERS) is retried for as long as it lasts; the record
        // must not wait with it past deliveryTimeoutMs.
        broker.handle(ApiKey.INIT_PRODUCER, req -> InitProducer.Response.error(ErrorCode.TOO_MANY_PRODUCERS,
                "scripted: producer table full"));
        Producer p = build(builder().deliveryTimeoutMs(300));
        CompletableFuture<SendResult> f = p.send("one", b("x"));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DefiniteFailureException.class)
                .hasMessageContaining("300 ms (deliveryTimeoutMs) without being sent");
        assertThat(broker.requests(ApiKey.INIT_PRODUCER)).hasSizeGreaterThan(1);
        assertThat(broker.requests(ApiKey.PRODUCE)).isEmpty();
    }

    @Test
    void aBatchWaitingToBeResentWhileAnotherTopicCannotJoinIsReportedAtItsDeliveryTimeout() throws Exception {
        broker.handle(ApiKey.INIT_PRODUCER, req -> ((InitProducer.Request) req).topic().equals("orders")
                ? InitProducer.Response.error(ErrorCode.TOO_MANY_PRODUCERS, "scripted: producer table full")
                : broker.model(req));
        ScriptedBroker.Fault[] storageErrors = new ScriptedBroker.Fault[1_000];
        java.util.Arrays.fill(storageErrors, new ScriptedBroker.Fail(ErrorCode.STORAGE_ERROR));
        broker.onNext(ApiKey.PRODUCE, storageErrors);
        Producer p = build(builder().deliveryTimeoutMs(1_000));
        long start = System.nanoTime();
        CompletableFuture<SendResult> inDoubt = p.send("one", b("x"));
        Thread.sleep(700);
        // From here on INIT_PRODUCER for "orders" is retried (and refused) and nothing is sent.
        CompletableFuture<SendResult> orders = p.send("orders", b("y"));
        assertThatThrownBy(() -> inDoubt.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOf(OutcomeUnknownException.class).hasMessageContaining("1000 ms (deliveryTimeoutMs)");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("reported at its own deadline, not when the other topic's record expires (1700 ms)")
                .isLessThan(1_500);
        assertThatThrownBy(() -> orders.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DefiniteFailureException.class);
    }

    @Test
    void closeFailsUnsentAsClosedAndInFlightAsUnknown() throws Exception {
        broker.defaultProduceDelayMs = 5_000;
        Producer p = build(builder().inFlightBatchesMax(1).requestTimeoutMs(10_000).deliveryTimeoutMs(20_000));
        CompletableFuture<SendResult> inFlight = p.send("one", b("a"));
        Wait.until(() -> broker.requests(ApiKey.PRODUCE).size() == 1, 3_000, "first produce");
        CompletableFuture<SendResult> buffered = p.send("one", b("b"));
        ProducerStats stats = p.close(Duration.ofMillis(100));
        assertThatThrownBy(() -> inFlight.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(OutcomeUnknownException.class);
        assertThatThrownBy(() -> buffered.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(ClientClosedException.class);
        assertThat(stats).isEqualTo(new ProducerStats(0, 0, 1, 1));
        assertThatThrownBy(() -> p.send("one", b("c")).get(1, TimeUnit.SECONDS)).cause()
                .isInstanceOf(ClientClosedException.class);
    }

    @Test
    void closeWithTimeLeftDeliversWhatIsBuffered() throws Exception {
        Producer p = build(builder().lingerMs(10_000));
        CompletableFuture<SendResult> f = p.send("one", b("a"));
        p.close(Duration.ofSeconds(5));
        assertThat(get(f).offset()).isEqualTo(0);
    }

    @Test
    void fullBufferFailsSendAfterMaxBlock() throws Exception {
        broker.defaultProduceDelayMs = 2_000;
        Producer p = build(builder().bufferedRecordsMax(1).maxBlockMs(50).requestTimeoutMs(5_000));
        CompletableFuture<SendResult> first = p.send("one", b("a"));
        CompletableFuture<SendResult> second = p.send("one", b("b"));
        assertThatThrownBy(() -> second.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(BufferFullException.class)
                .hasMessageContaining("bufferedRecordsMax 1");
        assertThat(get(first).offset()).isEqualTo(0);
    }

    @Test
    void durableProducerSendsCallerSequencesFromNextSequence() throws Exception {
        broker.persistedSequence("orders", 1, 41);
        Producer p = build(builder().durable("relay-1"));
        long next = p.nextSequence("orders", 1);
        assertThat(next).isEqualTo(42);
        assertThat(p.nextSequence("orders", 0)).isEqualTo(0);
        get(p.sendWithSequence("orders", 1, next, null, b("a"), List.of()));
        get(p.sendWithSequence("orders", 1, next + 1, null, b("b"), List.of()));
        // A restarted relay resends a stored row: the broker recognises the sequence.
        assertThat(get(p.sendWithSequence("orders", 1, next, null, b("a"), List.of())).duplicate()).isTrue();
        List<Produce.Request> sent = broker.requests(ApiKey.PRODUCE);
        assertThat(sent.get(0).batch().baseSequence()).isEqualTo(42);
        assertThat(sent.get(1).batch().baseSequence()).isEqualTo(43);
        assertThatThrownBy(() -> p.sendWithSequence("orders", 1, next + 5, null, b("x"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gap");
        // murmur2 of this key mod 4 is 1: the producer must not assign sequences on a caller-owned partition.
        assertThatThrownBy(() -> p.send("orders", b("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), b("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sendWithSequence");
    }

    @Test
    void sendWithSequenceNeedsADurableProducer() {
        Producer p = build(builder());
        assertThatThrownBy(() -> p.sendWithSequence("orders", 0, 0, null, b("a"), List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("durable");
    }
}
