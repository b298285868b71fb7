package io.semel.processor;

import static io.semel.processor.Bank.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.testing.Applied;
import io.semel.processor.testing.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The processor's contract over a {@link Source}, run unchanged over every engine: subclasses only
 * supply a {@link SourceEngine}. The store is one real PostgreSQL shared by all members (several
 * processor instances on one store), a fresh database per test.
 */
public abstract class SourceContractTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static EmbeddedPostgresServer pg;

    protected SourceEngine engine;
    protected String topic;
    protected String group;
    protected JdbcStore store;
    protected final List<ExactlyOnceProcessor> processors = new ArrayList<>();
    protected final Map<String, Long> expected = new HashMap<>();

    /** The engine for this test class; called once per test, may return the same instance. */
    protected abstract SourceEngine engine() throws Exception;

    /**
     * The dedup mode of every processor in the run: {@link Dedup#SEQUENCE} here, and a subclass per
     * engine runs the contract again with {@link Dedup#MESSAGE_ID}.
     */
    protected Dedup dedup() {
        return Dedup.SEQUENCE;
    }

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        engine = engine();
        int n = NAMES.incrementAndGet();
        topic = "orders-" + n;
        group = "billing-" + n;
        store = JdbcStore.postgres(pg.freshDatabaseUrl("sources"), "postgres", "", 8);
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
    }

    // ------------------------------------------------------------------ helpers

    protected ExactlyOnceProcessor.Builder processor(Source source, Handler handler) {
        return ExactlyOnceProcessor.builder().source(source).store(store).consumer(group).handler(handler)
                .dedup(dedup()).batchSize(50).inboxRetentionMs(Duration.ofDays(1).toMillis());
    }

    protected ExactlyOnceProcessor started(ExactlyOnceProcessor p) {
        processors.add(p);
        p.start();
        return p;
    }

    /** Sends {@code n} increments with seeded random accounts and amounts, all confirmed. */
    protected void sendIncrements(int n, long seed) {
        Random r = new Random(seed);
        List<SourceEngine.Outgoing> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String acct = Bank.account(r.nextInt(Bank.ACCOUNTS));
            long amount = 1 + r.nextInt(1000);
            out.add(new SourceEngine.Outgoing(utf8(acct), utf8(Long.toString(amount)), List.of()));
            expected.merge(acct, amount, Long::sum);
        }
        engine.send(topic, out);
    }

    /** The accounts' balances now (the increment handler's table). */
    protected Map<String, Long> balances() throws Exception {
        return Bank.balances(store);
    }

    /** The non-idempotent increment handler the tests use. */
    protected static Handler increment() {
        return Bank.INCREMENT;
    }

    protected void awaitProcessed(long n) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> Applied.count(store, group) >= n);
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void aNonIdempotentIncrementHandlerEndsWithBalancesEqualToTheConfirmedSends() throws Exception {
        engine.createTopic(topic, 3);
        ExactlyOnceProcessor p = started(processor(engine.member(topic, group), (m, tx) -> {
            Bank.increment(tx.connection(), m);
            tx.send("invoices", m.key(), m.value());
        }).build());
        sendIncrements(300, 1);
        awaitProcessed(300);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, group)).isEqualTo(300);
        assertThat(store.pendingOutbox(0, 1000)).hasSize(300);
        assertThat(p.status().processed()).isEqualTo(300);
    }

    @Test
    public void aPoisonMessageIsDeadLetteredWithItsErrorItsStepsRolledBackAndTheOthersApplied() throws Exception {
        engine.createTopic(topic, 1);
        Handler twoStep = (m, tx) -> {
            Bank.insert(tx, "s1", m.messageId());
            if (new String(m.value(), StandardCharsets.UTF_8).equals("poison")) {
                throw new IllegalStateException("step 2 refused " + m.messageId());
            }
            Bank.insert(tx, "s2", m.messageId());
        };
        ExactlyOnceProcessor p = started(processor(engine.member(topic, group), twoStep).build());
        List<SourceEngine.Outgoing> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(new SourceEngine.Outgoing(utf8("k"), utf8(i == 4 ? "poison" : "ok-" + i), List.of()));
        }
        engine.send(topic, out);
        awaitProcessed(9);
        await().atMost(Duration.ofSeconds(60)).until(() -> !engine.deadLetters(store, topic).isEmpty());
        assertThat(Bank.count(store, "s1")).as("the failed message's step 1 was rolled back").isEqualTo(9);
        assertThat(Bank.count(store, "s2")).isEqualTo(9);
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(group, topic + "/0/4")))
                .isEqualTo(InboxStatus.ABSENT);
        List<SourceEngine.DeadLetterCopy> dlq = engine.deadLetters(store, topic);
        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("poison");
        assertThat(dlq.get(0).error()).contains("step 2 refused " + topic + "/0/4");
        assertThat(p.status().nacked()).isEqualTo(engine.maxDeliveries());
    }

    @Test
    public void aFailedMessageIsAppliedByTheNextMemberWhenItsProcessorStopsBeforeSettlingIt() throws Exception {
        engine.createTopic(topic, 1);
        List<SourceEngine.Outgoing> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String acct = Bank.account(i % Bank.ACCOUNTS);
            out.add(new SourceEngine.Outgoing(utf8(acct), utf8(Long.toString(i + 1)), List.of()));
            expected.merge(acct, (long) i + 1, Long::sum);
        }
        // A fails on amount 5 and then stalls (polls nothing) until it is stopped: the message is unsettled.
        Handler failsOnFive = (m, tx) -> {
            if (new String(m.value(), StandardCharsets.UTF_8).equals("5")) {
                throw new IllegalStateException("not now: " + m.messageId());
            }
            Bank.increment(tx.connection(), m);
        };
        FreezingSource frozenAfterNack = new FreezingSource(engine.member(topic, group));
        ExactlyOnceProcessor a = started(processor(frozenAfterNack, failsOnFive).build());
        engine.send(topic, out);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.status().nacked() >= 1);
        a.stop();
        ExactlyOnceProcessor b = started(processor(engine.member(topic, group), Bank.INCREMENT).build());
        awaitProcessed(10);
        assertThat(Bank.balances(store)).as("nothing lost, nothing applied twice").isEqualTo(expected);
        assertThat(b.status().processed()).isPositive();
        assertThat(engine.deadLetters(store, topic)).isEmpty();
    }

    @Test
    public void aMemberThatLostItsPartitionWhileHoldingABatchIsFencedAndEachMessageAppliedOnce() throws Exception {
        engine.createTopic(topic, 1);
        PausingSource pausedA = new PausingSource(engine.member(topic, group));
        ExactlyOnceProcessor a = started(processor(pausedA, Bank.INCREMENT).build());
        sendIncrements(60, 3);
        assertThat(pausedA.holding.await(60, TimeUnit.SECONDS)).as("A polled a batch and is paused").isTrue();
        ExactlyOnceProcessor b = started(processor(engine.member(topic, group), Bank.INCREMENT).build());
        engine.expel(pausedA.delegate());
        awaitProcessed(60);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        // A wakes up with its old batch: B claimed the partition since, so A's commit is refused.
        pausedA.release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> a.status().fencedBatches() >= 1);
        assertThat(a.status().processed()).isZero();
        assertThat(b.status().processed()).isEqualTo(60);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, group)).isEqualTo(60);
    }

    @Test
    public void twoLiveProcessorsSharingPartitionsThroughRebalancesApplyEachMessageOnce() throws Exception {
        engine.createTopic(topic, 4);
        Handler slow = (m, tx) -> {
            Bank.increment(tx.connection(), m);
            sleepMs(2);
        };
        ExactlyOnceProcessor a = started(processor(engine.member(topic, group), slow).batchSize(10).build());
        Thread sender = new Thread(() -> sendIncrements(400, 4));
        sender.start();
        awaitProcessed(50);
        ExactlyOnceProcessor b = started(processor(engine.member(topic, group), slow).batchSize(10).build());
        awaitProcessed(200);
        a.stop();
        sender.join();
        awaitProcessed(400);
        Thread.sleep(500);
        assertThat(Bank.balances(store)).isEqualTo(expected);
        assertThat(Applied.count(store, group)).isEqualTo(400);
        assertThat(a.status().processed() + b.status().processed()).isEqualTo(400);
    }

    @Test
    public void startIsRefusedWhenInboxRetentionDoesNotOutlastTheRedeliveryHorizon() throws Exception {
        engine.createTopic(topic, 1);
        Source member = engine.member(topic, group);
        long horizon = member.redeliveryHorizonMs();
        ExactlyOnceProcessor p = processor(member, Bank.INCREMENT).inboxRetentionMs(horizon).build();
        processors.add(p);
        assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inboxRetentionMs " + horizon).hasMessageContaining("Raise inboxRetentionMs");
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

    /** After the first nack, polls nothing more (the member stalls without settling the message). */
    static final class FreezingSource extends ForwardingSource {
        private final AtomicBoolean frozen = new AtomicBoolean();

        FreezingSource(Source delegate) {
            super(delegate);
        }

        @Override
        public void nack(SourceMessage message, String errorText) {
            super.nack(message, errorText);
            frozen.set(true);
        }

        @Override
        public List<SourceMessage> poll(Duration timeout) {
            if (frozen.get()) {
                sleepMs(timeout.toMillis());
                return List.of();
            }
            return super.poll(timeout);
        }
    }
}
