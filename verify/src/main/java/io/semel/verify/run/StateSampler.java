package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import java.time.Duration;

/**
 * Reads the processor's store while the workload runs and records each read as a {@code read-state} with
 * {@code "final": false} (docs/verify.md), so the checker can tell a store that lost a committed apply, rolled
 * back between two reads, or keeps a position that does not match what it applied, while faults are active.
 * A read has no effect, so a failed one is recorded {@code fail}.
 *
 * <p>One daemon thread; {@link #stop} joins it. Thread-safe.
 */
final class StateSampler {
    /** Reads are at least this far apart. */
    static final long INTERVAL_MIN_MS = 5_000;
    /**
     * At most this many reads in a run: each one lists every applied id, so the history (and the checker's
     * memory) grows with reads × applied ids.
     */
    static final int READS_MAX = 8;
    private static final String PROC = "state-reader";

    private final Thread thread;
    private volatile boolean running = true;

    StateSampler(RunStore store, RunHistory history, String topic, String consumer, Duration workload) {
        long intervalMs = Math.max(INTERVAL_MIN_MS, workload.toMillis() / (READS_MAX + 1));
        thread = new Thread(() -> loop(store, history, topic, consumer, intervalMs), "state-reader");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(30_000);
    }

    private void loop(RunStore store, RunHistory history, String topic, String consumer, long intervalMs) {
        for (int n = 0; n < READS_MAX && running; n++) {
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            }
            history.invoke(PROC, EventValue.ReadState.emptyDuring());
            try {
                history.ok(PROC, store.readState(topic, consumer, false));
            } catch (Exception e) {
                history.fail(PROC, EventValue.ReadState.emptyDuring(), e.toString().replace('\n', ' '));
            }
        }
    }
}
