package io.semel.console.internal;

import io.semel.console.BrokerCounters.Counters;

/**
 * The charts' history: per-interval rates computed from consecutive counter readings, in a ring of
 * {@code capacity} entries (the oldest is overwritten). Thread-safe (synchronized; the sampler
 * thread adds, HTTP threads copy).
 */
public final class SampleRing {
    /** One interval: when it ended, records/s, fsyncs/s, mean and max fsync ms (-1 = not available). */
    public record Point(long atMs, double recordsPerSec, double fsyncsPerSec, double fsyncMeanMs, double fsyncMaxMs) {
    }

    private final Point[] points;
    private int next;
    private int size;
    private Counters previous;
    private long previousAtMs;

    public SampleRing(int capacity) {
        this.points = new Point[capacity];
    }

    /** Adds the rates between the previous reading and this one; the first reading only sets the origin. */
    public synchronized void add(long atMs, Counters now) {
        if (previous != null && atMs > previousAtMs) {
            double secs = (atMs - previousAtMs) / 1000.0;
            double records = Math.max(0, now.recordsAppended() - previous.recordsAppended()) / secs;
            long forces = now.fsyncs() - previous.fsyncs();
            boolean fsyncKnown = now.fsyncs() >= 0 && previous.fsyncs() >= 0;
            double mean = !fsyncKnown ? -1 : forces == 0 ? 0
                    : (now.fsyncNanosTotal() - previous.fsyncNanosTotal()) / 1e6 / forces;
            points[next] = new Point(atMs, records, fsyncKnown ? forces / secs : -1, mean,
                    fsyncKnown ? now.fsyncNanosMax() / 1e6 : -1);
            next = (next + 1) % points.length;
            size = Math.min(size + 1, points.length);
        }
        previous = now;
        previousAtMs = atMs;
    }

    /** Oldest first. */
    public synchronized Point[] snapshot() {
        Point[] out = new Point[size];
        for (int i = 0; i < size; i++) {
            out[i] = points[(next - size + i + points.length) % points.length];
        }
        return out;
    }

    /** The last reading's records appended, or -1 before the first. */
    public synchronized long lastRecordsAppended() {
        return previous == null ? -1 : previous.recordsAppended();
    }
}
