package io.semel.broker.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARN lines for a condition that can repeat thousands of times a second (a refused request): at
 * most one line per key per interval; the lines suppressed in between are counted into the next one.
 * Time comes from an injected monotonic clock. Thread-safe ({@code synchronized}; no I/O under the
 * lock except the logger's own).
 */
final class RateLimitedWarning {
    private final Logger log;
    private final long intervalMs;
    private final LongSupplier monotonicMs;
    private final Map<String, long[]> byKey = new HashMap<>(); // key -> {last logged ms, suppressed count}

    RateLimitedWarning(Logger log, long intervalMs, LongSupplier monotonicMs) {
        this.log = log;
        this.intervalMs = intervalMs;
        this.monotonicMs = monotonicMs;
    }

    /** Logs {@code message} unless a line of {@code key} was logged less than the interval ago. */
    void warn(String key, String message) {
        long now = monotonicMs.getAsLong();
        long suppressed;
        synchronized (this) {
            long[] state = byKey.get(key);
            if (state != null && now - state[0] < intervalMs) {
                state[1]++;
                return;
            }
            suppressed = state == null ? 0 : state[1];
            byKey.put(key, new long[] {now, 0});
        }
        log.warn("{}{}", message, suppressed == 0 ? ""
                : " (" + suppressed + " more like it in the last " + intervalMs + " ms not logged)");
    }
}
