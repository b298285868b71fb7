package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.semel.kafka.internal.RelayProgress;
import io.semel.processor.CrashPoints;
import io.semel.processor.outbox.RelayDivergedException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.RelayProducer;
import io.semel.processor.testing.EmbeddedPostgresServer;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KafkaOutboxRelay against a real in-process KRaft broker and a real PostgreSQL store: every outbox
 * row reaches its topic exactly once for read_committed readers, across crashes at the named crash
 * points (simulated in-process: the pass stops at the point, the relay is dropped without marking),
 * and every disagreement between store and Kafka stops the relay.
 */
class KafkaOutboxRelayTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static KafkaBroker kafka;
    private static EmbeddedPostgresServer pg;

    private final List<KafkaOutboxRelay> relays = new ArrayList<>();
    private final List<JdbcStore> stores = new ArrayList<>();
    private String topic;
    private String relayName;
    private String progressTopic;
    private JdbcStore store;

    /** Thrown by the crash hook: the pass stops there, as if the process died (nothing after it runs). */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        pg = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
        pg.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        int n = NAMES.incrementAndGet();
        topic = "invoices-" + n;
        relayName = "billing-" + n;
        progressTopic = "progress-" + n;
        kafka.createTopic(topic, 2);
        store = newStore();
    }

    @AfterEach
    void tearDown() {
        relays.forEach(KafkaOutboxRelay::close);
        stores.forEach(JdbcStore::close);
    }

    private JdbcStore newStore() throws Exception {
        JdbcStore s = JdbcStore.postgres(pg.freshDatabaseUrl("relay"), "postgres", "", 4);
        stores.add(s);
        return s;
    }

    /** Passes of 40 rows (one chunk each), so 100 rows take three passes. */
    private KafkaOutboxRelay relay(JdbcStore s, CrashPoints.Hook hook) {
        return relay(s, hook, 40);
    }

    /** Chunks of 40 rows; a pass takes up to {@code passRowsMax}. */
    private KafkaOutboxRelay relay(JdbcStore s, CrashPoints.Hook hook, int passRowsMax) {
        KafkaOutboxRelay r = KafkaOutboxRelay.builder(s, kafka.bootstrap(), relayName).progressTopic(progressTopic)
                .progressReplicationFactor(1).relayBatchMax(40).relayPassRowsMax(passRowsMax)
                .transactionTimeoutMs(10_000).random(new Random(7)).crashHook(hook).build();
        relays.add(r);
        return r;
    }

    private KafkaOutboxRelay relay(JdbcStore s) {
        return relay(s, name -> { });
    }

    /** A hook that crashes at the {@code hit}-th time {@code point} is reached. */
    private static CrashPoints.Hook crashAt(String point, int hit) {
        AtomicInteger hits = new AtomicInteger();
        return name -> {
            if (name.equals(point) && hits.incrementAndGet() == hit) {
                throw new SimulatedCrash(name);
            }
        };
    }

    private void enqueue(JdbcStore s, int from, int to) throws Exception {
        s.inTransaction(tx -> {
            for (int i = from; i < to; i++) {
                String id = "in/" + i + "#0";
                tx.enqueueOutbox(new OutboxMessage(topic, ("k" + (i % 7)).getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8), List.of(Header.of("semel.id", id)), id, 1L));
            }
            return null;
        });
    }

    private static int drain(KafkaOutboxRelay r) {
        int total = 0;
        for (int n; (n = r.runOnce()) > 0;) {
            total += n;
        }
        return total;
    }

    /** Message id → how many times a read_committed reader sees it, over both partitions. */
    private Map<String, Integer> published() {
        Map<String, Integer> seen = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            long lastIndex = -1;
            Map<String, Long> lastByKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic, p)) {
                String id = new String(r.headers().lastHeader("semel.id").value(), StandardCharsets.UTF_8);
                seen.merge(id, 1, Integer::sum);
                long index = Long.parseLong(id.substring(3, id.indexOf('#')));
                String key = new String(r.key(), StandardCharsets.UTF_8);
                Long before = lastByKey.put(key, index);
                assertThat(before == null || before < index).as("per key, outbox id order: %s after %s", id, before)
                        .isTrue();
                lastIndex = index;
            }
            assertThat(lastIndex).isGreaterThanOrEqualTo(-1);
        }
        return seen;
    }

    /**
     * {@link #published()} equals {@code expected}, awaited: commitTransaction returns once the commit is decided,
     * and a read_committed reader's end (the last stable offset) moves past the transaction only when its markers
     * are written, a moment later.
     */
    private void assertPublished(Map<String, Integer> expected) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published()).isEqualTo(expected));
    }

    private static Map<String, Integer> once(int from, int to) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = from; i < to; i++) {
            m.put("in/" + i + "#0", 1);
        }
        return m;
    }

    @Test
    void everyRowIsPublishedOnceInIdOrderWithItsProgressAndMarkedSent() throws Exception {
        enqueue(store, 0, 100);
        KafkaOutboxRelay r = relay(store).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> store.pendingOutbox(0, 1).isEmpty());
        enqueue(store, 100, 150);
        await().atMost(Duration.ofSeconds(60)).until(() -> store.pendingOutbox(0, 1).isEmpty());
        assertPublished(once(0, 150));
        assertThat(r.sent()).isEqualTo(150);
        assertThat(r.state()).isEqualTo(KafkaOutboxRelay.State.ACTIVE);
        List<ConsumerRecord<byte[], byte[]>> progress = kafka.readCommitted(progressTopic, 0);
        RelayProgress last = RelayProgress.decode(progress.get(progress.size() - 1).value());
        assertThat(last.lastId()).isEqualTo(150);
        assertThat(store.loadProducer("kafka-" + relayName)).get().extracting(RelayProducer::nextSequence)
                .isEqualTo(150L);
    }

    @Test
    void aCrashBetweenSendAndCommitLeavesNothingVisibleAndTheNextSessionResendsOnce() throws Exception {
        enqueue(store, 0, 100);
        KafkaOutboxRelay crashed = relay(store, crashAt(CrashPoints.KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT, 2));
        assertThat(crashed.runOnce()).isEqualTo(40);
        assertThatThrownBy(crashed::runOnce).isInstanceOf(SimulatedCrash.class);
        crashed.close(); // the dead process's store lock goes with it
        KafkaOutboxRelay next = relay(store);
        assertThat(drain(next)).isEqualTo(60);
        assertPublished(once(0, 100));
        assertThat(store.pendingOutbox(0, 1)).isEmpty();
    }

    @Test
    void aCrashBetweenCommitAndMarkSentIsSettledByTheProgressRecordWithoutResending() throws Exception {
        enqueue(store, 0, 100);
        KafkaOutboxRelay crashed = relay(store, crashAt(CrashPoints.KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT, 2));
        assertThat(crashed.runOnce()).isEqualTo(40);
        assertThatThrownBy(crashed::runOnce).isInstanceOf(SimulatedCrash.class);
        crashed.close();
        assertThat(store.pendingOutbox(0, 1000)).as("rows 41..80 are in Kafka but unmarked").hasSize(60);
        KafkaOutboxRelay next = relay(store);
        assertThat(drain(next)).as("only rows above the progress record are sent").isEqualTo(20);
        assertPublished(once(0, 100));
        assertThat(store.pendingOutbox(0, 1)).isEmpty();
    }

    @Test
    void aRelayBehindTakesSeveralChunksInOneTransactionUpToThePassLimit() throws Exception {
        enqueue(store, 0, 230);
        KafkaOutboxRelay r = relay(store, name -> { }, 100);
        assertThat(r.runOnce()).as("chunks of 40 while full, up to 100 rows").isEqualTo(100);
        assertThat(r.runOnce()).isEqualTo(100);
        assertThat(r.runOnce()).as("the last chunk came back short: the pass ends there").isEqualTo(30);
        assertThat(r.runOnce()).isZero();
        assertPublished(once(0, 230));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.readCommitted(progressTopic, 0))
                .extracting(p -> RelayProgress.decode(p.value()))
                .extracting(RelayProgress::previousLastId, RelayProgress::lastId)
                .containsExactly(tuple(0L, 100L), tuple(100L, 200L), tuple(200L, 230L)));
        assertThat(r.passStats().passes()).isEqualTo(3);
        assertThat(r.passStats().rows()).isEqualTo(230);
        assertThat(store.loadProducer("kafka-" + relayName)).get().extracting(RelayProducer::nextSequence)
                .isEqualTo(230L);
    }

    @Test
    void anIdleRelayIsWokenByACommitThroughItsStoreInsteadOfWaitingOutItsPollInterval() throws Exception {
        KafkaOutboxRelay r = KafkaOutboxRelay.builder(store, kafka.bootstrap(), relayName).progressTopic(progressTopic)
                .progressReplicationFactor(1).pollIntervalMs(600_000).transactionTimeoutMs(10_000)
                .random(new Random(7)).build();
        relays.add(r);
        r.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> r.passStats().emptyPasses() >= 1);
        enqueue(store, 0, 10);
        await("well inside the 10-minute poll interval").atMost(Duration.ofSeconds(30))
                .until(() -> store.pendingOutbox(0, 1).isEmpty());
        assertPublished(once(0, 10));
    }

    @Test
    void aPassTakesOnlyTheRowsCommittedWhenItStartedAndNeverChasesNewCommits() throws Exception {
        enqueue(store, 0, 100);
        AtomicInteger boundReads = new AtomicInteger();
        // A processor that keeps committing: 100 more rows land right after the pass read its bound.
        JdbcStore busy = (JdbcStore) java.lang.reflect.Proxy.newProxyInstance(JdbcStore.class.getClassLoader(),
                new Class<?>[] {JdbcStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("pendingOutbox") && boundReads.get() == 1) {
                        boundReads.incrementAndGet();
                        enqueue(store, 1_000, 1_100);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (method.getName().equals("lastOutboxId")) {
                            boundReads.incrementAndGet();
                        }
                    }
                });
        KafkaOutboxRelay r = relay(busy, name -> { }, 1_000);
        assertThat(r.runOnce()).as("the 100 rows there at the start: 40, 40, then 20 of a chunk of 40")
                .isEqualTo(100);
        assertThat(r.runOnce()).as("the rows committed during the first pass").isEqualTo(100);
        Map<String, Integer> expected = new HashMap<>(once(0, 100));
        expected.putAll(once(1_000, 1_100));
        assertPublished(expected);
    }

    @Test
    void aPassTakesAtMostRelayPassRowsMaxAtItsBoundWhileRowsKeepComing() throws Exception {
        // 100 is not a multiple of the 40-row chunk: the third chunk is cut to the 20 rows left.
        assertPassesBounded(100, 130, 6);
    }

    @Test
    void aPassLimitBelowTheChunkSizeCutsTheFirstChunk() throws Exception {
        assertPassesBounded(30, 130, 4);
    }

    @Test
    void aLargePassLimitStillStopsAtTheHighestIdCommittedWhenTheFirstChunkCameBackFull() throws Exception {
        assertPassesBounded(1_000, 50, 4);
    }

    /**
     * {@code backlog} rows are pending, and every outbox read first commits 25 more (a processor that never stops):
     * each of {@code passes} passes takes at most {@code passRowsMax} rows, exactly that many when more were
     * committed by the time the first chunk came back full, a contiguous id run above the previous pass, and never a
     * row above the highest id committed when its first chunk came back full (the bound it read then; a pass without
     * a bound read is its single first chunk).
     */
    private void assertPassesBounded(int passRowsMax, int backlog, int passes) throws Exception {
        enqueue(store, 0, backlog);
        AtomicInteger next = new AtomicInteger(1_000);
        List<Long> bounds = new ArrayList<>(); // per pass: the bound it read, or -1
        JdbcStore busy = (JdbcStore) java.lang.reflect.Proxy.newProxyInstance(JdbcStore.class.getClassLoader(),
                new Class<?>[] {JdbcStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("pendingOutbox") && !bounds.isEmpty()) {
                        int from = next.getAndAdd(25);
                        enqueue(store, from, from + 25);
                    }
                    Object result;
                    try {
                        result = method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("lastOutboxId") && !bounds.isEmpty()) {
                        assertThat(bounds.get(bounds.size() - 1)).as("one bound read per pass").isEqualTo(-1L);
                        bounds.set(bounds.size() - 1, (Long) result);
                    }
                    return result;
                });
        KafkaOutboxRelay r = relay(busy, name -> { }, passRowsMax);
        long previousLast = 0;
        for (int i = 0; i < passes; i++) {
            bounds.add(-1L);
            int rows = r.runOnce();
            long last = store.loadProducer("kafka-" + relayName).orElseThrow().nextSequence();
            long bound = bounds.get(i);
            assertThat(rows).as("pass %d: rows", i).isPositive().isLessThanOrEqualTo(passRowsMax);
            assertThat(last - previousLast).as("pass %d: a contiguous run (previous last %d)", i, previousLast)
                    .isEqualTo(rows);
            if (bound < 0) {
                assertThat(rows).as("pass %d: no bound read, so one chunk", i).isLessThanOrEqualTo(Math.min(40, passRowsMax));
            } else {
                assertThat(last).as("pass %d: never above the bound it read", i).isLessThanOrEqualTo(bound);
                assertThat(rows).as("pass %d: the limit is reached when the bound allows it", i)
                        .isEqualTo((int) Math.min(passRowsMax, bound - previousLast));
            }
            previousLast = last;
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.readCommitted(progressTopic, 0))
                .extracting(p -> RelayProgress.decode(p.value()))
                .allSatisfy(p -> assertThat(p.lastId() - p.previousLastId()).isBetween(1L, (long) passRowsMax))
                .hasSize(passes));
        assertThat(r.passStats().rows()).isEqualTo(previousLast);
    }

    @Test
    void aCrashAfterCommittingAPassOfSeveralChunksMarksTheWholePassWithoutResending() throws Exception {
        enqueue(store, 0, 150);
        KafkaOutboxRelay crashed = relay(store, crashAt(CrashPoints.KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT, 1), 100);
        assertThatThrownBy(crashed::runOnce).isInstanceOf(SimulatedCrash.class);
        crashed.close();
        assertThat(store.pendingOutbox(0, 1000)).as("rows 1..100 are in Kafka but unmarked").hasSize(150);
        KafkaOutboxRelay next = relay(store, name -> { }, 100);
        assertThat(drain(next)).as("only rows above the progress record are sent").isEqualTo(50);
        assertPublished(once(0, 150));
        assertThat(store.pendingOutbox(0, 1)).isEmpty();
    }

    @Test
    void oneRelayIsActivePerStoreAndAStandbyTakesOverWhenItStops() throws Exception {
        KafkaOutboxRelay first = relay(store).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> first.state() == KafkaOutboxRelay.State.ACTIVE);
        KafkaOutboxRelay second = relay(store).start();
        enqueue(store, 0, 50);
        await().atMost(Duration.ofSeconds(60)).until(() -> store.pendingOutbox(0, 1).isEmpty());
        assertThat(second.state()).isEqualTo(KafkaOutboxRelay.State.STANDBY);
        first.close();
        enqueue(store, 50, 80);
        await().atMost(Duration.ofSeconds(60)).until(() -> second.state() == KafkaOutboxRelay.State.ACTIVE
                && store.pendingOutbox(0, 1).isEmpty());
        assertPublished(once(0, 80));
        assertThat(first.sent() + second.sent()).isEqualTo(80);
    }

    @Test
    void aDeletedProgressTopicStopsTheRelayInsteadOfResending() throws Exception {
        enqueue(store, 0, 30);
        drain(relay(store));
        relays.get(0).close();
        kafka.admin().deleteTopics(List.of(progressTopic)).all().get(30, TimeUnit.SECONDS);
        enqueue(store, 30, 40);
        KafkaOutboxRelay next = relay(store);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThatThrownBy(next::runOnce)
                .isInstanceOf(RelayDivergedException.class).hasMessageContaining("no progress record"));
        assertThat(next.state()).isEqualTo(KafkaOutboxRelay.State.DIVERGED);
        assertPublished(once(0, 30));
    }

    @Test
    void twoStoresUsingOneRelayNameAreADivergence() throws Exception {
        enqueue(store, 0, 10);
        drain(relay(store));
        JdbcStore other = newStore();
        KafkaOutboxRelay intruder = relay(other);
        assertThatThrownBy(intruder::runOnce).isInstanceOf(RelayDivergedException.class)
                .hasMessageContaining("this store never ran this relay");
    }

    @Test
    void aStoreRestoredFromAnOlderBackupIsADivergence() throws Exception {
        enqueue(store, 0, 100);
        KafkaOutboxRelay r = relay(store);
        drain(r);
        r.close();
        long storeId = store.loadProducer("kafka-" + relayName).orElseThrow().producerId();
        // As if restored: the store remembers an older published id than Kafka's last two passes.
        store.saveProducer(new RelayProducer("kafka-" + relayName, storeId, 0, 40));
        KafkaOutboxRelay next = relay(store);
        assertThatThrownBy(next::runOnce).isInstanceOf(RelayDivergedException.class)
                .hasMessageContaining("the store marked rows up to id 40").hasMessageContaining("(80, 100]");
        assertPublished(once(0, 100));
    }
}
