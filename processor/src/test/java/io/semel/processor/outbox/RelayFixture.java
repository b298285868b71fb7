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

/** A real broker, a store, and helpers to fill the outbox and check the topic afterwards. */
abstract class RelayFixture {
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

    /** Runs a relay that "dies" at the {@code pass}-th time it reaches {@code point}; its producer is abandoned. */
    void crashOnceAt(String point, int pass, int batchMax) {
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

    /** A second, empty database of the same kind. */
    protected abstract JdbcStore openFreshStore() throws Exception;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
