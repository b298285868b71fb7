package io.semel.processor.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.PartitionRecord;
import io.semel.client.Partitioner;
import io.semel.client.Producer;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxMessage;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay against a real broker and a real store; run over SQLite and PostgreSQL. Crashes are
 * simulated in-process with a crash hook that throws (the dead relay's producer is abandoned, as a
 * killed process's would be); {@link RelayKillTest} does it with real child JVMs.
 */
abstract class OutboxRelayContractTest {
    static final String TOPIC = "invoices";
    static final int PARTITIONS = 3;
    static final String RELAY = "billing-relay";

    @TempDir
    Path dir;

    TestBroker broker;
    JdbcStore store;

    protected abstract JdbcStore openStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        broker = new TestBroker(dir.resolve("broker"));
        broker.createTopic(TOPIC, PARTITIONS);
        store = openStore();
    }

    @AfterEach
    void tearDown() {
        if (store != null) {
            store.close();
        }
        broker.close();
    }

    /** A simulated crash: thrown by the hook, never caught by the relay's retry logic in runOnce. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }

    OutboxRelay.Builder relay(int batchMax) {
        return OutboxRelay.builder(store, broker.bootstrap()).relayName(RELAY).relayBatchMax(batchMax);
    }

    /**
     * Enqueues {@code count} messages in transactions of 1..4 rows; about a fifth of the transactions
     * roll back (leaving id gaps). Returns the committed message ids, in commit order, with their key.
     */
    Map<String, String> enqueue(int count, long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, String> committed = new java.util.LinkedHashMap<>();
        int n = 0;
        while (n < count) {
            int rows = 1 + random.nextInt(4);
            boolean rollback = random.nextInt(5) == 0;
            Map<String, String> tx = new java.util.LinkedHashMap<>();
            try {
                store.inTransaction(t -> {
                    for (int i = 0; i < rows; i++) {
                        String id = "msg-" + seed + "-" + (tx.size() + committed.size()) + "-" + random.nextLong();
                        String key = random.nextInt(6) == 0 ? null : "cust-" + random.nextInt(20);
                        t.enqueueOutbox(new OutboxMessage(TOPIC, key == null ? null : bytes(key), bytes(id),
                                List.of(Header.of("app", "billing")), id, 1));
                        tx.put(id, key);
                    }
                    if (rollback) {
                        throw new HandlerException("rolled back on purpose", null);
                    }
                    return null;
                });
                committed.putAll(tx);
                n += rows;
            } catch (HandlerException expected) {
                // the rows of this transaction were rolled back: their ids are gaps
            }
        }
        return committed;
    }

    static void drain(OutboxRelay relay) {
        for (int i = 0; i < 10_000 && relay.runOnce() > 0; i++) {
            // until nothing is pending
        }
    }

    /** Each committed message exactly once, in commit order per partition, keyed ones on their key's partition. */
    void assertExactlyOnceInOrder(Map<String, String> committed) {
        List<List<PartitionRecord>> parts = broker.readAll(TOPIC);
        Map<String, Integer> seen = new HashMap<>();
        List<String> order = new ArrayList<>(committed.keySet());
        for (int p = 0; p < parts.size(); p++) {
            int last = -1;
            for (PartitionRecord r : parts.get(p)) {
                String id = r.header(OutboxRelay.MESSAGE_ID_HEADER);
                assertThat(id).as("message id header").isNotNull();
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(id);
                assertThat(r.header("app")).isEqualTo("billing");
                assertThat(seen.put(id, p)).as("%s appears once", id).isNull();
                int pos = order.indexOf(id);
                assertThat(pos).as("%s was committed", id).isGreaterThanOrEqualTo(0);
                assertThat(pos).as("commit order within partition %d", p).isGreaterThan(last);
                last = pos;
                String key = committed.get(id);
                if (key != null) {
                    assertThat(p).isEqualTo(Partitioner.partitionForKey(bytes(key), PARTITIONS));
                }
            }
        }
        assertThat(new TreeMap<>(seen).keySet()).as("every committed message is in the topic")
                .isEqualTo(new TreeMap<>(committed).keySet());
        assertThat(store.pendingOutbox(0, 10)).as("nothing left unsent").isEmpty();
    }

    @Test
    void rowsWithIdGapsArePublishedExactlyOnceInIdOrderPerPartition() throws Exception {
        Map<String, String> committed = enqueue(300, 1);
        try (OutboxRelay relay = relay(37).build()) {
            drain(relay);
            assertThat(relay.stats().sent()).isEqualTo(committed.size());
            assertThat(relay.stats().duplicates()).isZero();
        }
        assertExactlyOnceInOrder(committed);
        assertThat(store.relaySequences()).allSatisfy(s -> assertThat(s.highestSentSequence())
                .isEqualTo(s.nextSequence() - 1));
        assertThat(store.loadProducer(RELAY)).hasValueSatisfying(p -> assertThat(p.producerId()).isNotNegative());
    }

    @Test
    void theRelayThreadPublishesRowsCommittedWhileItRuns() throws Exception {
        Map<String, String> committed;
        try (OutboxRelay relay = relay(50).pollIntervalMs(5).build().start()) {
            committed = enqueue(200, 2);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!store.pendingOutbox(0, 1).isEmpty()) {
                assertThat(System.nanoTime()).as("relay catches up").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(relay.failure()).isEmpty();
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void aCrashAfterAssigningBeforeSendingIsResentByTheNextRelayWithTheSameSequences() throws Exception {
        Map<String, String> committed = enqueue(120, 3);
        crashOnceAt(OutboxRelay.CRASH_AFTER_ASSIGN_BEFORE_SEND, 3, 20);
        try (OutboxRelay next = relay(20).build()) {
            drain(next);
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void aCrashAfterSendingBeforeMarkingSentDoesNotDuplicateAnything() throws Exception {
        Map<String, String> committed = enqueue(120, 4);
        crashOnceAt(OutboxRelay.CRASH_AFTER_SEND_BEFORE_MARK_SENT, 3, 20);
        try (OutboxRelay next = relay(20).build()) {
            drain(next);
            assertThat(next.stats().alreadyInLog()).as("the dead relay's batch was in the log already").isPositive();
        }
        assertExactlyOnceInOrder(committed);
    }

    @Test
    void repeatedCrashesAtBothPointsStillPublishEveryRowOnce() throws Exception {
        Map<String, String> committed = enqueue(200, 5);
        for (int round = 1; round <= 6; round++) {
            String point = round % 2 == 0 ? OutboxRelay.CRASH_AFTER_ASSIGN_BEFORE_SEND
                    : OutboxRelay.CRASH_AFTER_SEND_BEFORE_MARK_SENT;
            crashOnceAt(point, 1 + round % 3, 7 + round);
        }
        try (OutboxRelay last = relay(13).build()) {
            drain(last);
        }
        assertExactlyOnceInOrder(committed);
    }

    /** Runs a relay that "dies" at the {@code pass}-th time it reaches {@code point}; its producer is abandoned. */
    private void crashOnceAt(String point, int pass, int batchMax) {
        int[] reached = {0};
        List<Producer> abandoned = new ArrayList<>();
        OutboxRelay dying = OutboxRelay.builder(store, name -> {
            Producer p = Producer.builder(broker.bootstrap()).durable(name).build();
            abandoned.add(p);
            return p;
        }).relayName(RELAY).relayBatchMax(batchMax).crashHook(name -> {
            if (name.equals(point) && ++reached[0] == pass) {
                throw new SimulatedCrash(point);
            }
        }).build();
        assertThatThrownBy(() -> drain(dying)).isInstanceOf(SimulatedCrash.class);
        // runOnce closed the session after the "crash": closing the producer sends nothing more, and
        // the store was not touched after the crash point.
        assertThat(abandoned).hasSize(1);
    }

    @Test
    void aBrokerAheadOfTheStoreStopsTheRelayWithBothNumbers() throws Exception {
        enqueue(30, 6);
        try (OutboxRelay relay = relay(100).build()) {
            drain(relay);
        }
        // A store that lost its rows (e.g. restored from an old backup) under the same relay name.
        store.close();
        store = openFreshStore();
        int unsent = enqueue(5, 7).size();
        try (OutboxRelay relay = relay(100).build()) {
            assertThatThrownBy(relay::runOnce).isInstanceOf(RelayDivergedException.class)
                    .hasMessageContaining("broker has persisted sequences up to")
                    .hasMessageContaining("assigned only up to -1");
        }
        try (OutboxRelay relay = relay(100).pollIntervalMs(5).build().start()) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (relay.failure().isEmpty()) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(relay.failure().get()).isInstanceOf(RelayDivergedException.class);
        }
        assertThat(store.pendingOutbox(0, 100)).as("nothing was sent").hasSize(unsent);
        assertThat(store.relaySequences()).as("nothing was even assigned").isEmpty();
    }

    /** A second, empty database of the same kind. */
    protected abstract JdbcStore openFreshStore() throws Exception;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
