package io.semel.processor.state;

import io.semel.client.PartitionReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.TreeMap;

/**
 * Child JVM for {@link SnapshotKillTest}: a {@link StateMachineRunner} ({@link StateMachineRunnerTest.Totals})
 * snapshotting every few messages, until killed (SIGKILL, or the snapshot crash point's halt(137)) or
 * until its state counts {@code expected} messages; then it exits 0. Prints "LOADED n" (messages in
 * the loaded snapshot) at start and "APPLIED n" after each pass.
 *
 * <p>Args: bootstrap, snapshot dir, topic, expected count, snapshot every N messages.
 */
public final class SnapshotChild {
    private SnapshotChild() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path snapshots = Path.of(args[1]);
        String topic = args[2];
        long expected = Long.parseLong(args[3]);
        long every = Long.parseLong(args[4]);
        try (PartitionReader reader = PartitionReader.builder(bootstrap).fetchMaxBytes(512).build()) {
            StateMachineRunner<TreeMap<String, Long>> runner = StateMachineRunner.builder(reader, topic,
                    new StateMachineRunnerTest.Totals(), new StateMachineRunnerTest.TotalsCodec(),
                    new SnapshotStore(snapshots)).snapshotEveryMessages(every).fetchWaitMs(0)
                    .clock(Clock.systemUTC()).build();
            System.out.println("LOADED " + runner.state().getOrDefault("#count", 0L));
            System.out.flush();
            while (runner.state().getOrDefault("#count", 0L) < expected) {
                runner.runOnce();
                System.out.println("APPLIED " + runner.state().getOrDefault("#count", 0L));
                System.out.flush();
                // Slow enough that a SIGKILL at a random moment lands mid-stream.
                Thread.sleep(3);
            }
        }
        System.out.println("DONE");
        System.exit(0);
    }
}
