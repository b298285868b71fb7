package io.semel.cli;

/**
 * The clock of a throughput bench's timed part: started after the warm-up, once this JVM's JIT has compiled nothing
 * for {@link #JIT_QUIET_MS} (at most {@link #JIT_WAIT_MAX_MS}), and stopped with the JIT and GC work that ran beside
 * the timed part. Semel's consume and each Kafka consume use it alike, so their result lines say the same things.
 * Not thread-safe: one bench thread starts and stops it.
 */
final class BenchClock {
    /** Compile-free time that counts as the JIT being done, between a warm-up and the clock. */
    static final long JIT_QUIET_MS = 500;
    /**
     * Longest wait for that: a third of a group's 30 s ack timeout, so the warm-up's last deliveries are acked before
     * the broker would redeliver them.
     */
    static final long JIT_WAIT_MAX_MS = 10_000;

    /** The timed part's length and, for its result line, what the JVM did around it. */
    record Stopped(double seconds, String jvmLine) {
    }

    private final JvmWork.Settling settling;
    private final JvmWork atStart;
    private final long startNanos;

    private BenchClock(JvmWork.Settling settling) {
        this.settling = settling;
        this.atStart = JvmWork.now();
        this.startNanos = System.nanoTime();
    }

    /** Starts the clock, after waiting for a quiet JIT if a warm-up ran (without one there is nothing to wait for). */
    static BenchClock start(boolean warmedUp) throws InterruptedException {
        return new BenchClock(warmedUp ? JvmWork.awaitJitQuiet(JIT_QUIET_MS, JIT_WAIT_MAX_MS) : null);
    }

    /**
     * The time since the start, and {@code before the clock: JIT quiet after 1,850 ms; this JVM in the timed part: JIT
     * compiling 12 ms, 9 GCs 41 ms} (or {@code no warm-up; …}).
     */
    Stopped stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        JvmWork timed = JvmWork.now().since(atStart);
        return new Stopped(seconds, (settling == null ? "no warm-up" : "before the clock: " + settling.summary())
                + "; this JVM in the timed part: " + timed.summary());
    }
}
