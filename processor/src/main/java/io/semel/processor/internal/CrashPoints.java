package io.semel.processor.internal;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named steps where a test may make the JVM die at once, as a power cut or SIGKILL would: no shutdown
 * hooks, no finally blocks, no rollback sent to the database ({@code Runtime.halt(137)}).
 *
 * <p>Enabled only by system properties, read once at class load:
 * <ul>
 *   <li>{@code semel.crashPoints} — comma-separated step names (the constants below); empty or
 *       absent: never crash (the production path is one volatile read of a constant empty set);
 *   <li>{@code semel.crashPoints.probability} — chance of crashing each time an enabled step is
 *       reached, 0..1, default 1;
 *   <li>{@code semel.crashPoints.seed} — seed of that choice, default the current time (printed).
 * </ul>
 * Thread-safe (the Random is synchronized).
 */
public final class CrashPoints {
    /** TRANSACTIONAL: every handler of the batch ran, the transaction is not committed. */
    public static final String AFTER_HANDLER_BEFORE_COMMIT = "afterHandlerBeforeCommit";
    /** TRANSACTIONAL: committed, the broker has not been acked (redelivery must be skipped by the inbox). */
    public static final String AFTER_COMMIT_BEFORE_ACK = "afterCommitBeforeAck";
    /** STORE_THEN_PROCESS: RECEIVED rows committed, the broker has not been acked. */
    public static final String AFTER_RECEIVE_COMMIT_BEFORE_ACK = "afterReceiveCommitBeforeAck";
    /** STORE_THEN_PROCESS: a worker's handler ran, its transaction is not committed. */
    public static final String AFTER_WORKER_HANDLER_BEFORE_COMMIT = "afterWorkerHandlerBeforeCommit";

    /** Exit status of a crash, as after SIGKILL (128 + 9). */
    public static final int EXIT_STATUS = 137;

    private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);
    private static final Set<String> KNOWN = Set.of(AFTER_HANDLER_BEFORE_COMMIT, AFTER_COMMIT_BEFORE_ACK,
            AFTER_RECEIVE_COMMIT_BEFORE_ACK, AFTER_WORKER_HANDLER_BEFORE_COMMIT);
    private static final Set<String> ENABLED = parse(System.getProperty("semel.crashPoints", ""));
    private static final double PROBABILITY = Double.parseDouble(
            System.getProperty("semel.crashPoints.probability", "1"));
    private static final Random RANDOM = seeded();

    private CrashPoints() {
    }

    /** Halts the JVM when {@code step} is enabled (and the dice say so); otherwise returns. */
    public static void reached(String step) {
        assert KNOWN.contains(step) : step;
        if (ENABLED.isEmpty() || !ENABLED.contains(step)) {
            return;
        }
        boolean crash;
        synchronized (RANDOM) {
            crash = RANDOM.nextDouble() < PROBABILITY;
        }
        if (crash) {
            System.err.println("CRASH " + step);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    static Set<String> parse(String spec) {
        Set<String> steps = Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        for (String s : steps) {
            // A misspelt step would silently never crash and make a crash test pass vacuously.
            if (!KNOWN.contains(s)) {
                throw new IllegalArgumentException("semel.crashPoints names unknown step '" + s + "'; known: " + KNOWN);
            }
        }
        return steps;
    }

    private static Random seeded() {
        String s = System.getProperty("semel.crashPoints.seed");
        long seed = s != null ? Long.parseLong(s) : System.nanoTime();
        if (!ENABLED.isEmpty()) {
            LOG.warn("crash points enabled: {} with probability {} (seed {})", ENABLED, PROBABILITY, seed);
        }
        return new Random(seed);
    }
}
