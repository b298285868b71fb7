package io.semel.simulation;

import io.semel.client.internal.NanoClock;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time, advanced only by the {@link Scheduler}: the producer's {@link NanoClock} and the
 * log's {@link Clock} read the same instant, so nothing in a run depends on the machine's time.
 */
final class SimClock extends Clock implements NanoClock {
    /** Wall time at simulated nanosecond 0 (any fixed value; batch timestamps derive from it). */
    private static final long START_WALL_MS = 1_750_000_000_000L;
    private long nanos;

    void advanceTo(long atNanos) {
        if (atNanos < nanos) {
            throw new IllegalStateException("time would go back from " + nanos + " to " + atNanos);
        }
        nanos = atNanos;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long wallMillis() {
        return START_WALL_MS + nanos / 1_000_000;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("simulated time has one zone");
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(wallMillis());
    }
}
