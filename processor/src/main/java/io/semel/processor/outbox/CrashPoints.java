package io.semel.processor.outbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named crash points for kill tests, read from the system property {@value #PROPERTY}: a comma
 * separated list of {@code name} (halt at the first pass) or {@code name@n} (halt at the n-th pass).
 * Reaching a listed point calls {@code Runtime.halt(137)}: no shutdown hooks, no finally blocks, as a
 * SIGKILL would. Unset (production): {@link #check} is a property read and nothing else.
 *
 * <p>Package-private stand-in until it is unified with the runtime's crash points. Thread-safe.
 */
final class CrashPoints {
    static final String PROPERTY = "semel.crashPoints";
    static final int HALT_STATUS = 137;

    /** What the relay calls at each crash point; tests in this package inject their own. */
    interface Hook {
        void reached(String name);
    }

    /** The system-property hook: halts the JVM at a listed point. */
    static final Hook SYSTEM = CrashPoints::check;

    private static final Map<String, AtomicInteger> PASSES = new ConcurrentHashMap<>();

    private CrashPoints() {
    }

    static void check(String name) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank()) {
            return;
        }
        int pass = PASSES.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        for (String item : spec.split(",")) {
            String s = item.trim();
            int at = s.indexOf('@');
            String point = at < 0 ? s : s.substring(0, at);
            int haltAt = at < 0 ? 1 : Integer.parseInt(s.substring(at + 1));
            if (point.equals(name) && pass == haltAt) {
                System.err.println("crash point " + name + " reached (pass " + pass + "): halting with status "
                        + HALT_STATUS);
                System.err.flush();
                Runtime.getRuntime().halt(HALT_STATUS);
            }
        }
    }
}
