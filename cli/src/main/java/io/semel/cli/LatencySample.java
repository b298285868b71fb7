package io.semel.cli;

import java.util.Arrays;

/**
 * Latencies of one benchmark run, kept whole (a bounded array, one slot per message) and sorted
 * for percentiles: exact, and small enough at benchmark counts (8 bytes per message). Each slot
 * is written by one thread; read after the run.
 */
final class LatencySample {
    /** Largest sample kept; a bench with more messages records every k-th one. */
    static final int SAMPLES_MAX = 10_000_000;

    private final long[] nanos;
    private final int stride;
    /** Slots recorded but left out of every figure: a warm-up's. */
    private final int unreported;

    LatencySample(long messages) {
        this(messages, 0);
    }

    /**
     * A sample whose first {@code unreportedFirst} messages are recorded like the rest but left out of every figure:
     * a bench records its warm-up through the same code as what it measures, so the JIT does not meet a branch for
     * the first time when the measured messages start.
     */
    LatencySample(long messages, long unreportedFirst) {
        this.stride = (int) Math.max(1, (messages + SAMPLES_MAX - 1) / SAMPLES_MAX);
        this.nanos = new long[(int) Math.max(1, messages / stride)];
        this.unreported = (int) Math.min(nanos.length, Math.max(0, unreportedFirst) / stride);
        Arrays.fill(nanos, -1);
    }

    void record(long index, long latencyNanos) {
        if (index % stride == 0 && index / stride < nanos.length) {
            nanos[(int) (index / stride)] = latencyNanos;
        }
    }

    /** p50, p99 and max in ms, over the recorded (confirmed) messages. */
    String summary() {
        long[] s = reported();
        if (s.length == 0) {
            return "no samples";
        }
        return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms", at(s, 0.50), at(s, 0.99), s[s.length - 1] / 1e6);
    }

    /** p50, p99, p99.9 and max in ms and the sample count: the tail a latency bench reports. */
    String tailSummary() {
        long[] s = reported();
        if (s.length == 0) {
            return "no samples";
        }
        return String.format("p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (%d samples)", at(s, 0.50),
                at(s, 0.99), at(s, 0.999), s[s.length - 1] / 1e6, s.length);
    }

    /** The q-quantile (0..1) in nanoseconds over the recorded messages; 0 with none. */
    long percentileNanos(double q) {
        long[] s = reported();
        if (s.length == 0) {
            return 0;
        }
        int i = (int) Math.min(s.length - 1, Math.ceil(q * s.length) - 1);
        return s[Math.max(0, i)];
    }

    /** The reported slots that were recorded, sorted. */
    private long[] reported() {
        return Arrays.stream(nanos, unreported, nanos.length).filter(n -> n >= 0).sorted().toArray();
    }

    private static double at(long[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
