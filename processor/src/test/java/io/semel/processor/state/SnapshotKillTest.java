package io.semel.processor.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.PartitionReader;
import io.semel.client.Producer;
import io.semel.processor.CrashPoints;
import io.semel.processor.outbox.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process deaths of a state-machine runner ({@link SnapshotChild}): halted at
 * {@code snapshot.afterTempWriteBeforeRename} (the temp file is written and fsynced, not renamed) and
 * SIGKILLed at random moments, then restarted until it has applied everything. After each death the
 * newest final snapshot must still be valid; at the end the state must equal a full replay.
 */
class SnapshotKillTest {
    private static final String TOPIC = "deposits";
    private static final int MESSAGES = 3_000;
    private static final int SNAPSHOT_EVERY = 40;
    private static final int SIGKILLS = 3;

    @TempDir
    Path dir;

    @Test
    void haltsBeforeRenameAndSigkillsKeepTheLastSnapshotValidAndRestartsEqualAFullReplay() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path snaps = dir.resolve("snaps");
        try (TestBroker broker = new TestBroker(dir.resolve("broker"))) {
            broker.createTopic(TOPIC, 3);
            Map<String, Long> expected = produce(broker);
            // Halts at the 2nd, then the 3rd snapshot of a run: a valid snapshot exists before each.
            for (int hit : new int[] {2, 3}) {
                String name = "halt-" + hit;
                Process child = start(broker, snaps, List.of("-D" + CrashPoints.PROPERTY + "="
                        + CrashPoints.SNAPSHOT_AFTER_TEMP_WRITE_BEFORE_RENAME + "@" + hit), name);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).as("halted (seed %d), see %s", seed, out(name))
                        .isEqualTo(CrashPoints.EXIT_STATUS);
                assertThat(temps(snaps)).as("the crash left its temp file").hasSize(1);
                assertNewestSnapshotValid(snaps);
            }
            int liveKills = 0;
            for (int round = 0; round < SIGKILLS; round++) {
                String name = "kill-" + round;
                Process child = start(broker, snaps, List.of(), name);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(out(name)).contains("APPLIED") && child.isAlive()) {
                    assertThat(System.nanoTime()).as("child applies (seed %d)", seed).isLessThan(deadline);
                    Thread.sleep(5);
                }
                Thread.sleep(random.nextInt(200));
                liveKills += child.isAlive() ? 1 : 0;
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertNewestSnapshotValid(snaps);
            }
            System.out.printf("snapshot kill test (seed %d): 2 halts before rename, %d SIGKILLs mid-stream%n", seed,
                    liveKills);
            assertThat(liveKills).as("SIGKILLs that hit a running child (seed %d)", seed).isPositive();
            Process last = start(broker, snaps, List.of(), "last");
            assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as("clean run (seed %d), see %s", seed, out("last")).isZero();
            String lastOut = Files.readString(out("last"));
            long loaded = Long.parseLong(lastOut.lines().filter(l -> l.startsWith("LOADED ")).findFirst()
                    .orElseThrow().substring(7));
            assertThat(loaded).as("the last run resumed from a snapshot").isPositive();

            try (PartitionReader reader = PartitionReader.builder(broker.bootstrap()).fetchMaxBytes(512).build()) {
                StateMachineRunner<TreeMap<String, Long>> restarted = runner(reader, snaps);
                StateMachineRunnerTest.catchUp(restarted);
                StateMachineRunner<TreeMap<String, Long>> full = runner(reader, dir.resolve("empty"));
                StateMachineRunnerTest.catchUp(full);
                assertThat(full.applied()).isEqualTo(MESSAGES);
                assertThat(restarted.state()).as("seed %d", seed).isEqualTo(full.state()).isEqualTo(expected);
                assertThat(restarted.positions()).isEqualTo(full.positions());
            }
        }
    }

    private static StateMachineRunner<TreeMap<String, Long>> runner(PartitionReader reader, Path snaps) {
        return StateMachineRunner.builder(reader, TOPIC, new StateMachineRunnerTest.Totals(),
                new StateMachineRunnerTest.TotalsCodec(), new SnapshotStore(snaps)).snapshotEveryMessages(1_000_000)
                .fetchWaitMs(0).clock(Clock.systemUTC()).build();
    }

    /** The newest renamed snapshot file decodes (no fallback was needed): deaths never damage one. */
    private static void assertNewestSnapshotValid(Path snaps) throws IOException {
        SnapshotStore store = new SnapshotStore(snaps);
        List<Long> indexes = store.indexes();
        assertThat(indexes).as("a snapshot was written").isNotEmpty();
        Optional<Snapshot> newest = store.loadNewest();
        assertThat(newest).isPresent();
        assertThat(newest.get().index()).isEqualTo(indexes.get(indexes.size() - 1));
    }

    private static List<Path> temps(Path snaps) throws IOException {
        try (Stream<Path> files = Files.list(snaps)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static Map<String, Long> produce(TestBroker broker) {
        Map<String, Long> expected = new TreeMap<>();
        // Small batches: the runner snapshots between batches, so many batches make many snapshots.
        try (Producer producer = Producer.builder(broker.bootstrap()).batchBytesMax(300).build()) {
            for (int i = 0; i < MESSAGES; i++) {
                String key = "acct-" + (i % 7);
                long amount = i % 13 + 1;
                producer.send(TOPIC, key.getBytes(StandardCharsets.UTF_8),
                        Long.toString(amount).getBytes(StandardCharsets.UTF_8));
                expected.merge(key, amount, Long::sum);
            }
            producer.flush();
            assertThat(producer.stats().confirmed()).isEqualTo(MESSAGES);
        }
        expected.put("#count", (long) MESSAGES);
        return expected;
    }

    private Path out(String name) {
        return dir.resolve(name + ".out");
    }

    private Process start(TestBroker broker, Path snaps, List<String> jvmArgs, String name) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-ea"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, SnapshotChild.class.getName(), broker.bootstrap(), snaps.toString(), TOPIC,
                Integer.toString(MESSAGES), Integer.toString(SNAPSHOT_EVERY)));
        Files.createFile(out(name));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out(name).toFile()).start();
    }
}
