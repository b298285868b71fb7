package io.semel.processor;

import static io.semel.processor.Bank.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.semel.client.Consumer;
import io.semel.client.Producer;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxRow;
import io.semel.processor.store.ProcessedOffsets;
import io.semel.processor.testing.Applied;
import io.semel.protocol.Header;
import io.semel.protocol.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor contract over a real broker on loopback and the real client, run unchanged against
 * every store ({@link SqliteProcessorTest}, {@link PostgresProcessorTest}).
 */
abstract class ProcessorContractTest {
    static final String TOPIC = "orders";
    static final String GROUP = "billing";

    @TempDir
    Path dir;

    BrokerFixture broker;
    JdbcStore store;
    final List<ExactlyOnceProcessor> processors = new ArrayList<>();
    final Map<String, Long> expected = new HashMap<>();

    /** A fresh empty store for this test. */
    protected abstract JdbcStore openStore() throws Exception;

    /** The dedup mode every processor of this run uses; each store runs the contract in both. */
    protected abstract Dedup dedup();

    @BeforeEach
    void setUp() throws Exception {
        broker = BrokerFixture.start(dir.resolve("broker"));
        store = openStore();
        Bank.createTables(store);
        for (int i = 0; i < Bank.ACCOUNTS; i++) {
            expected.put(Bank.account(i), 0L);
        }
    }

    @AfterEach
    void tearDown() {
        for (ExactlyOnceProcessor p : processors) {
            p.close();
        }
        if (store != null) {
            store.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    SemelSource source() {
        return new SemelSource(Consumer.builder(broker.bootstrap()).group(GROUP).topic(TOPIC).sessionTimeoutMs(3_000)
                .maxPollMessages(100).nackBackoffMs((int) BrokerFixture.NACK_BACKOFF_MS).build(),
                BrokerFixture.REDELIVERY);
    }

    ExactlyOnceProcessor.Builder processor(Source source, Handler handler) {
        return ExactlyOnceProcessor.builder().source(source).store(store).consumer(GROUP).handler(handler)
                .dedup(dedup()).batchSize(50).inboxRetentionMs(Duration.ofHours(1).toMillis());
    }

    ExactlyOnceProcessor started(ExactlyOnceProcessor p) {
        processors.add(p);
        p.start();
        return p;
    }

    /** Sends {@code n} increments with random accounts and amounts, all confirmed; records the expected sums. */
    void sendIncrements(int n, long seed) {
        Random r = new Random(seed);
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            List<java.util.concurrent.CompletableFuture<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String acct = Bank.account(r.nextInt(Bank.ACCOUNTS));
                long amount = 1 + r.nextInt(1000);
                fs.add(producer.send(TOPIC, utf8(acct), utf8(Long.toString(amount))));
                expected.merge(acct, amount, Long::sum);
            }
            producer.flush();
            fs.forEach(java.util.concurrent.CompletableFuture::join); // confirmed, or the test fails here
        }
    }

    void awaitProcessed(long n) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> Applied.count(store, GROUP) >= n);
    }

    /**
     * Store-then-process: {@code n} rows PROCESSED by the workers. Not {@link #awaitProcessed}: with a
     * sequenced source the receive transaction records the offset once the row is RECEIVED.
     */
    void awaitInboxProcessed(long n) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> store.inboxCounts(GROUP).processed() >= n);
    }

    static double counter(MeterRegistry r, String name) {
        return r.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aNonIdempotentIncrementHandlerEndsWithBalancesEqualToTheConfirmedSends() throws Exception {
        broker.createTopic(TOPIC, 3);
        ExactlyOnceProcessor p = started(processor(source(), (m, tx) -> {
            Bank.increment(tx.connection(), m);
            tx.send("invoices", m.key(), m.value());
        }).build());
        sendIncrements(300, 1);
        awaitProcessed(300);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, GROUP)).isEqualTo(300);
        List<OutboxRow> outbox = store.pendingOutbox(0, 1000);
        assertThat(outbox).hasSize(300).allSatisfy(row -> {
            assertThat(row.message().messageId()).matches(TOPIC + "/\\d/\\d+#0");
            assertThat(row.message().headers()).contains(Header.of(SourceMessage.ID_HEADER, row.message().messageId()));
        });
        assertThat(p.status().processed()).isEqualTo(300);
        assertThat(counter(p.meterRegistry(), "semel.processor.processed")).isEqualTo(300);
        assertThat(p.meterRegistry().find("semel.processor.batch.commit").timer().count()).isPositive();
        assertThat(p.meterRegistry().find("semel.processor.lag").gauges()).isNotEmpty();
    }

    @Test
    void aRedeliveryAfterCommitWithoutAckIsSkipped() throws Exception {
        broker.createTopic(TOPIC, 2);
        AckDroppingSource dropping = new AckDroppingSource(source());
        ExactlyOnceProcessor p = started(processor(dropping, Bank.INCREMENT).build());
        sendIncrements(40, 2);
        awaitProcessed(40);
        // Committed but never acked: the broker redelivers after ackTimeoutMs with deliveryCount 2.
        await().atMost(Duration.ofSeconds(30)).until(() -> p.status().duplicatesSkipped() >= 40);
        dropping.dropping.set(false);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(p.status().redeliveriesSeen()).isGreaterThanOrEqualTo(40);
        assertThat(counter(p.meterRegistry(), "semel.processor.duplicates")).isGreaterThanOrEqualTo(40);
        // Once acks go through, nothing is applied again.
        Thread.sleep(BrokerFixture.ACK_TIMEOUT_MS * 2);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, GROUP)).isEqualTo(40);
    }

    @Test
    void aTwoStepHandlerFailingBetweenTheStepsLeavesNeitherAndThePoisonMessageIsDeadLettered() throws Exception {
        broker.createTopic(TOPIC, 1);
        Handler twoStep = (m, tx) -> {
            Bank.insert(tx, "s1", m.messageId());
            if (new String(m.value(), StandardCharsets.UTF_8).equals("poison")) {
                throw new IllegalStateException("step 2 refused " + m.messageId());
            }
            Bank.insert(tx, "s2", m.messageId());
        };
        ExactlyOnceProcessor p = started(processor(source(), twoStep).build());
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            for (int i = 0; i < 10; i++) {
                producer.send(TOPIC, utf8("k"), utf8(i == 4 ? "poison" : "ok-" + i)).join();
            }
        }
        awaitProcessed(9);
        await().atMost(Duration.ofSeconds(30)).until(() -> !broker.readAll(TOPIC + ".dlq", 0).isEmpty());
        assertThat(Bank.count(store, "s1")).as("the failed message's step 1 was rolled back").isEqualTo(9);
        assertThat(Bank.count(store, "s2")).isEqualTo(9);
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(GROUP, TOPIC + "/0/4")))
                .isEqualTo(InboxStatus.ABSENT);
        // Offset 4 was never processed (the broker dead-lettered it): the watermark stays below it and
        // the later offsets are kept above it, in both modes (a sequenced source keeps the offsets).
        assertThat(store.sequencePositions(GROUP)).singleElement().satisfies(pos -> assertThat(pos.processed())
                .isEqualTo(ProcessedOffsets.below(4).plus(new long[] {5, 6, 7, 8, 9})));
        List<LogRecord> dlq = broker.readAll(TOPIC + ".dlq", 0);
        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("poison");
        assertThat(dlq.get(0).headers()).anySatisfy(h -> {
            assertThat(h.key()).isEqualTo("semel.dlq.error");
            assertThat(h.valueAsString()).contains("step 2 refused orders/0/4");
        });
        assertThat(p.status().nacked()).isEqualTo(BrokerFixture.MAX_DELIVERIES);
        assertThat(counter(p.meterRegistry(), "semel.processor.dead_letter_bound")).isEqualTo(1);
    }

    @Test
    void aMessageThatFailsOnceIsAppliedWhenRedeliveredAfterLaterOffsetsCommitted() throws Exception {
        broker.createTopic(TOPIC, 1);
        AtomicBoolean failedOnce = new AtomicBoolean();
        Handler failsOnce = (m, tx) -> {
            if (m.offset() == 3 && m.attempt() == 1) {
                failedOnce.set(true);
                throw new IllegalStateException("not yet: " + m.messageId());
            }
            Bank.insert(tx, "s1", m.messageId());
        };
        ExactlyOnceProcessor p = started(processor(source(), failsOnce).build());
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            for (int i = 0; i < 8; i++) {
                producer.send(TOPIC, utf8("k"), utf8("m-" + i)).join();
            }
        }
        // Offsets 4..7 commit while 3 waits for its redelivery (nack backoff): a watermark moved past
        // them would skip 3 when it comes back, and s1 would stay at 7 rows.
        await().atMost(Duration.ofSeconds(60)).until(() -> Bank.count(store, "s1") == 8);
        assertThat(failedOnce).isTrue();
        assertThat(p.status().nacked()).isEqualTo(1);
        assertThat(store.sequencePositions(GROUP)).singleElement()
                .satisfies(pos -> assertThat(pos.processed()).isEqualTo(ProcessedOffsets.below(8)));
        Thread.sleep(BrokerFixture.ACK_TIMEOUT_MS + 500);
        assertThat(Bank.count(store, "s1")).as("nothing applied twice").isEqualTo(8);
    }

    @Test
    void aMessageWhoseIdTheStoreCannotHoldIsDeadLetteredAndTheProcessorKeepsGoing() throws Exception {
        broker.createTopic(TOPIC, 1);
        ExactlyOnceProcessor p = started(processor(source(), (m, tx) -> Bank.insert(tx, "s1", m.messageId())).build());
        String tooLong = "x".repeat(io.semel.processor.store.StoreLimits.MESSAGE_ID_BYTES_MAX + 1);
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            for (int i = 0; i < 6; i++) {
                List<Header> headers = i == 2 ? List.of(Header.of(SourceMessage.ID_HEADER, tooLong)) : List.of();
                producer.send(TOPIC, utf8("k"), utf8("m-" + i), headers).join();
            }
        }
        awaitProcessed(5);
        await().atMost(Duration.ofSeconds(30)).until(() -> !broker.readAll(TOPIC + ".dlq", 0).isEmpty());
        List<LogRecord> dlq = broker.readAll(TOPIC + ".dlq", 0);
        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("m-2");
        assertThat(dlq.get(0).headers()).anySatisfy(h -> {
            assertThat(h.key()).isEqualTo("semel.dlq.error");
            assertThat(h.valueAsString()).contains("MESSAGE_ID_BYTES_MAX");
        });
        assertThat(Bank.count(store, "s1")).isEqualTo(5);
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            producer.send(TOPIC, utf8("k"), utf8("after")).join();
        }
        awaitProcessed(6); // still running after refusing it
        assertThat(p.status().nacked()).isEqualTo(BrokerFixture.MAX_DELIVERIES);
    }

    @Test
    void aStaleMemberIsFencedAndTwoProcessorsOnOneGroupApplyEachMessageOnce() throws Exception {
        broker.createTopic(TOPIC, 1);
        PausingSource pausedA = new PausingSource(source());
        ExactlyOnceProcessor a = started(processor(pausedA, Bank.INCREMENT).build());
        sendIncrements(60, 3);
        assertThat(pausedA.holding.await(20, TimeUnit.SECONDS)).as("A polled a batch and is paused").isTrue();
        ExactlyOnceProcessor b = started(processor(source(), Bank.INCREMENT).build());
        // A's member leaves: its lease moves to B, which gets A's unacked deliveries at once.
        pausedA.delegate.close();
        awaitProcessed(60);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(b.status().redeliveriesSeen()).isPositive();
        // A wakes up with deliveries of the old lease: B wrote the position under a higher epoch.
        pausedA.release.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> a.status().fencedBatches() >= 1);
        assertThat(a.status().processed()).isZero();
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, GROUP)).isEqualTo(60);
    }

    @Test
    void twoLiveProcessorsSharingPartitionsThroughRebalancesApplyEachMessageOnce() throws Exception {
        broker.createTopic(TOPIC, 4);
        Handler slow = (m, tx) -> {
            Bank.increment(tx.connection(), m);
            sleepMs(2);
        };
        ExactlyOnceProcessor a = started(processor(source(), slow).batchSize(10).build());
        Thread sender = new Thread(() -> sendIncrements(400, 4));
        sender.start();
        awaitProcessed(50);
        ExactlyOnceProcessor b = started(processor(source(), slow).batchSize(10).build());
        awaitProcessed(200);
        a.stop(); // leaves: its unacked deliveries go to B
        sender.join();
        awaitProcessed(400);
        Thread.sleep(500);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, GROUP)).isEqualTo(400);
        assertThat(a.status().processed() + b.status().processed()).isEqualTo(400);
    }

    @Test
    void storeThenProcessAppliesEachMessageOnceAndFailsAMessageThatKeepsFailing() throws Exception {
        broker.createTopic(TOPIC, 2);
        Handler handler = (m, tx) -> {
            if (new String(m.key(), StandardCharsets.UTF_8).equals("bad")) {
                throw new HandlerException(new java.io.IOException("cannot handle " + m.messageId()));
            }
            Bank.increment(tx.connection(), m);
        };
        ExactlyOnceProcessor p = started(processor(source(), handler).mode(ProcessingMode.STORE_THEN_PROCESS)
                .concurrency(2).processAttemptsMax(2).build());
        sendIncrements(150, 5);
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            producer.send(TOPIC, utf8("bad"), utf8("1"), List.of(Header.of(SourceMessage.ID_HEADER, "app-key-7"))).join();
        }
        awaitInboxProcessed(150);
        await().atMost(Duration.ofSeconds(20)).until(() -> counter(p.meterRegistry(), "semel.processor.inbox.failed") == 1);
        sendIncrements(20, 5); // rows behind the failed one flow
        awaitInboxProcessed(170);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        InboxView view = p.inbox(InboxStatus.FAILED, null, 10);
        assertThat(view.counts().processed()).isEqualTo(170);
        assertThat(view.counts().received()).isZero();
        assertThat(view.counts().failed()).isEqualTo(1);
        assertThat(view.page()).singleElement().satisfies(row -> {
            assertThat(row.entry().messageId()).as("the application key is the id").isEqualTo("app-key-7");
            assertThat(row.status()).isEqualTo(InboxStatus.FAILED);
            assertThat(row.attempts()).isEqualTo(2);
            assertThat(row.lastError()).contains("cannot handle app-key-7");
        });
        // Acked after the RECEIVED commit: nothing comes back from the broker.
        Thread.sleep(BrokerFixture.ACK_TIMEOUT_MS + 500);
        assertThat(p.status().duplicatesSkipped()).isZero();
        assertThat(broker.readAll(TOPIC + ".dlq", 0)).isEmpty();
    }

    @Test
    void storeThenProcessRunsEachAttemptOfAFailingRowOnceAcrossWorkers() throws Exception {
        broker.createTopic(TOPIC, 1);
        List<Integer> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
        Handler handler = (m, tx) -> {
            attempts.add(m.attempt());
            throw new HandlerException(new java.io.IOException("cannot handle " + m.messageId()));
        };
        // Widens the moment between a failed attempt's rollback (which releases the row) and the worker's
        // count of it, where another worker could claim the row and run the same attempt again.
        ExactlyOnceProcessor p = started(processor(source(), handler).store(slowAfterHandlerFailure(store, 300))
                .mode(ProcessingMode.STORE_THEN_PROCESS).concurrency(4).processAttemptsMax(3).build());
        try (Producer producer = Producer.builder(broker.bootstrap()).build()) {
            producer.send(TOPIC, utf8("bad"), utf8("1")).join();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(p.meterRegistry(), "semel.processor.inbox.failed") == 1);
        Thread.sleep(500);
        assertThat(attempts).as("each attempt ran once, by one worker").containsExactly(1, 2, 3);
        assertThat(p.inbox(InboxStatus.FAILED, null, 10).page()).singleElement()
                .satisfies(row -> assertThat(row.attempts()).isEqualTo(3));
    }

    /** {@code store}, except that a transaction its work failed in returns {@code delayMs} late (rolled back). */
    static JdbcStore slowAfterHandlerFailure(JdbcStore store, long delayMs) {
        return (JdbcStore) java.lang.reflect.Proxy.newProxyInstance(JdbcStore.class.getClassLoader(),
                new Class<?>[] {JdbcStore.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        if (e.getCause() instanceof HandlerException && method.getName().equals("inTransaction")) {
                            Thread.sleep(delayMs);
                        }
                        throw e.getCause();
                    }
                });
    }

    @Test
    void startIsRefusedWhenInboxRetentionDoesNotOutlastTheRedeliveryHorizon() throws Exception {
        broker.createTopic(TOPIC, 1);
        long horizon = BrokerFixture.REDELIVERY.redeliveryHorizonMs();
        ExactlyOnceProcessor p = processor(source(), Bank.INCREMENT).inboxRetentionMs(horizon).build();
        processors.add(p);
        org.assertj.core.api.Assertions.assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inboxRetentionMs " + horizon)
                .hasMessageContaining("redeliveryHorizonMs " + horizon)
                .hasMessageContaining("Raise inboxRetentionMs");
        assertThat(p.status().state()).isEqualTo(ProcessorStatus.State.NEW);
    }

    // ------------------------------------------------------------------ support

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Acks nothing while {@link #dropping} is set: as if every ack was lost after commit. */
    static final class AckDroppingSource extends ForwardingSource {
        final AtomicBoolean dropping = new AtomicBoolean(true);

        AckDroppingSource(Source delegate) {
            super(delegate);
        }

        @Override
        public int ack(List<SourceMessage> messages) {
            return dropping.get() ? 0 : super.ack(messages);
        }
    }
}
