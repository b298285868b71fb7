package io.semel.processor.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.processor.outbox.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner against a real broker: snapshot + replay equals full replay; kill/restart cycles count exactly. */
class StateMachineRunnerTest {
    static final String TOPIC = "deposits";

    /** Per-key sum of the values (as longs): order-insensitive across partitions, as StateMachine requires. */
    static final class Totals implements StateMachine<TreeMap<String, Long>> {
        @Override
        public TreeMap<String, Long> initialState() {
            return new TreeMap<>();
        }

        @Override
        public TreeMap<String, Long> apply(TreeMap<String, Long> state, PartitionRecord m) {
            state.merge(new String(m.key(), StandardCharsets.UTF_8), Long.parseLong(new String(m.value(),
                    StandardCharsets.UTF_8)), Long::sum);
            state.merge("#count", 1L, Long::sum);
            return state;
        }
    }

    static final class TotalsCodec implements StateCodec<TreeMap<String, Long>> {
        @Override
        public byte[] encode(TreeMap<String, Long> s) {
            StringBuilder b = new StringBuilder();
            s.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public TreeMap<String, Long> decode(byte[] bytes) {
            TreeMap<String, Long> s = new TreeMap<>();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    int eq = line.indexOf('=');
                    s.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
                }
            }
            return s;
        }
    }

    @TempDir
    Path dir;

    TestBroker broker;
    PartitionReader reader;
    Producer producer;
    long produced;
    final Map<String, Long> expected = new TreeMap<>();

    @BeforeEach
    void setUp() throws Exception {
        broker = new TestBroker(dir.resolve("broker"));
        broker.createTopic(TOPIC, 3);
        reader = PartitionReader.builder(broker.bootstrap()).fetchMaxBytes(512).build();
        producer = Producer.builder(broker.bootstrap()).build();
    }

    @AfterEach
    void tearDown() {
        producer.close();
        reader.close();
        broker.close();
    }

    void produce(int n) {
        for (int i = 0; i < n; i++) {
            String key = "acct-" + (produced % 7);
            long amount = produced % 13 + 1;
            producer.send(TOPIC, key.getBytes(StandardCharsets.UTF_8),
                    Long.toString(amount).getBytes(StandardCharsets.UTF_8));
            expected.merge(key, amount, Long::sum);
            expected.merge("#count", 1L, Long::sum);
            produced++;
        }
        producer.flush();
    }

    StateMachineRunner<TreeMap<String, Long>> runner(Path snapshots, long every) {
        return StateMachineRunner.builder(reader, TOPIC, new Totals(), new TotalsCodec(), new SnapshotStore(snapshots))
                .snapshotEveryMessages(every).fetchWaitMs(0).clock(Clock.systemUTC()).build();
    }

    static void catchUp(StateMachineRunner<?> r) throws IOException {
        while (r.runOnce() > 0) {
            // until every partition is read to its end
        }
    }

    @Test
    void stateAfterRestartFromASnapshotPlusReplayEqualsAFullReplay() throws IOException {
        produce(400);
        Path snaps = dir.resolve("snaps");
        StateMachineRunner<TreeMap<String, Long>> first = runner(snaps, 50);
        catchUp(first);
        assertThat(first.state()).isEqualTo(expected);
        produce(250);
        StateMachineRunner<TreeMap<String, Long>> restarted = runner(snaps, 50);
        assertThat(restarted.positions().values().stream().mapToLong(Long::longValue).sum())
                .as("resumed from a snapshot, not from zero").isPositive();
        catchUp(restarted);
        assertThat(restarted.applied()).as("replayed only the tail").isLessThan(650);
        StateMachineRunner<TreeMap<String, Long>> full = runner(dir.resolve("empty"), 1_000_000);
        catchUp(full);
        assertThat(full.applied()).isEqualTo(650);
        assertThat(restarted.state()).isEqualTo(full.state()).isEqualTo(expected);
        assertThat(restarted.positions()).isEqualTo(full.positions());
    }

    @Test
    void aCorruptNewestSnapshotFallsBackToTheOlderOneAndReplaysToTheSameState() throws IOException {
        produce(300);
        Path snaps = dir.resolve("snaps");
        catchUp(runner(snaps, 40));
        SnapshotStore store = new SnapshotStore(snaps);
        long newest = store.indexes().get(store.indexes().size() - 1);
        Path f = snaps.resolve(String.format("snapshot-%020d.snap", newest));
        byte[] bytes = java.nio.file.Files.readAllBytes(f);
        bytes[12] ^= 0x01;
        java.nio.file.Files.write(f, bytes);
        StateMachineRunner<TreeMap<String, Long>> r = runner(snaps, 40);
        catchUp(r);
        assertThat(r.state()).isEqualTo(expected);
    }

    @Test
    void aCounterOverManyKillRestartCyclesEndsWithExactTotals() throws IOException {
        Path snaps = dir.resolve("snaps");
        java.util.Random random = new java.util.Random(42);
        for (int cycle = 0; cycle < 6; cycle++) {
            produce(100 + random.nextInt(100));
            StateMachineRunner<TreeMap<String, Long>> r = runner(snaps, 1 + random.nextInt(60));
            // Apply a random number of passes, then "kill": drop the runner without a final snapshot.
            int passes = 1 + random.nextInt(6);
            for (int i = 0; i < passes; i++) {
                r.runOnce();
            }
        }
        StateMachineRunner<TreeMap<String, Long>> last = runner(snaps, 25);
        catchUp(last);
        assertThat(last.state()).isEqualTo(expected);
        assertThat(last.state().get("#count")).isEqualTo(produced);
    }
}
