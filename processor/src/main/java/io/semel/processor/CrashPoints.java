package io.semel.processor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Named steps of the processor, the outbox relay and the snapshot writer where a crash test may make
 * the JVM die at once, as a power cut or SIGKILL would: {@code Runtime.halt(137)}, so no shutdown
 * hooks, no finally blocks, no rollback sent to the database. The one place that knows every name.
 *
 * <p>Enabled only by system properties, read once when this class loads:
 * <ul>
 *   <li>{@value #PROPERTY} — comma-separated entries, each {@code name} (halt at a hit of that step,
 *       subject to the probability) or {@code name@n} (halt at exactly the n-th hit, n ≥ 1, in this
 *       JVM; the probability does not apply). Absent or empty: never crash — the production path is
 *       one check of an empty map. An unknown name is refused: a misspelt step would never fire and a
 *       crash test would pass vacuously;
 *   <li>{@value #PROBABILITY_PROPERTY} — chance of halting at each hit of a plain {@code name}
 *       entry, 0..1, default 1 (the first hit);
 *   <li>{@value #SEED_PROPERTY} — seed of that choice, default the current time (printed when
 *       enabled, so a run can be replayed).
 * </ul>
 * Before halting it prints {@code CRASH <name> (hit n)} on standard error and flushes it.
 *
 * <p>Components take a {@link Hook} ({@link #SYSTEM} by default), so in-process tests can throw at a
 * step instead of halting. Thread-safe.
 */
public final class CrashPoints {
    /** The system property that names the enabled steps. */
    public static final String PROPERTY = "semel.crashPoints";
    public static final String PROBABILITY_PROPERTY = "semel.crashPoints.probability";
    public static final String SEED_PROPERTY = "semel.crashPoints.seed";
    /** Exit status of a crash, as after SIGKILL (128 + 9). */
    public static final int EXIT_STATUS = 137;

    /** TRANSACTIONAL: every handler of the batch ran, the transaction is not committed. */
    public static final String AFTER_HANDLER_BEFORE_COMMIT = "afterHandlerBeforeCommit";
    /** TRANSACTIONAL: committed, the broker has not been acked (redelivery must be skipped by the inbox). */
    public static final String AFTER_COMMIT_BEFORE_ACK = "afterCommitBeforeAck";
    /** STORE_THEN_PROCESS: RECEIVED rows committed, the broker has not been acked. */
    public static final String AFTER_RECEIVE_COMMIT_BEFORE_ACK = "afterReceiveCommitBeforeAck";
    /** STORE_THEN_PROCESS: a worker's handler ran, its transaction is not committed. */
    public static final String AFTER_WORKER_HANDLER_BEFORE_COMMIT = "afterWorkerHandlerBeforeCommit";
    /** Outbox relay: assignments committed, nothing of the batch sent yet. */
    public static final String RELAY_AFTER_ASSIGN_BEFORE_SEND = "relay.afterAssignBeforeSend";
    /** Outbox relay: the batch confirmed by the broker, rows not yet marked sent. */
    public static final String RELAY_AFTER_SEND_BEFORE_MARK_SENT = "relay.afterSendBeforeMarkSent";
    /** Snapshot store: the temp file written and fsynced, not yet renamed. */
    public static final String SNAPSHOT_AFTER_TEMP_WRITE_BEFORE_RENAME = "snapshot.afterTempWriteBeforeRename";

    /** Every step name, in the order of the pipeline. */
    /** Kafka outbox relay: the pass's rows and progress record sent inside the open Kafka transaction, not committed. */
    public static final String KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT = "kafkaRelay.afterSendBeforeCommit";
    /** Kafka outbox relay: the Kafka transaction committed, the rows not yet marked sent in the store. */
    public static final String KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT = "kafkaRelay.afterCommitBeforeMarkSent";
    /** Kafka source: a partition claimed in the store (epoch raised), the consumer not yet seeked to it. */
    public static final String KAFKA_AFTER_CLAIM_BEFORE_SEEK = "kafka.afterClaimBeforeSeek";
    public static final List<String> NAMES = List.of(AFTER_HANDLER_BEFORE_COMMIT, AFTER_COMMIT_BEFORE_ACK,
            AFTER_RECEIVE_COMMIT_BEFORE_ACK, AFTER_WORKER_HANDLER_BEFORE_COMMIT, RELAY_AFTER_ASSIGN_BEFORE_SEND,
            RELAY_AFTER_SEND_BEFORE_MARK_SENT, SNAPSHOT_AFTER_TEMP_WRITE_BEFORE_RENAME,
            KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT, KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT,
            KAFKA_AFTER_CLAIM_BEFORE_SEEK);

    /** What a component calls at each step. */
    @FunctionalInterface
    public interface Hook {
        void reached(String name);
    }

    /** The system-property hook: halts the JVM at an enabled step. */
    public static final Hook SYSTEM = CrashPoints::reached;

    private static final Plan PLAN = Plan.fromSystemProperties();

    private CrashPoints() {
    }

    /** Halts the JVM when {@code name} is enabled and due; otherwise returns. */
    public static void reached(String name) {
        assert NAMES.contains(name) : name;
        long hit = PLAN.hit(name);
        if (hit > 0) {
            System.err.println("CRASH " + name + " (hit " + hit + ")");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /**
     * Which steps halt, and when: parsed from the properties' values. Counts hits per step.
     * Package-private for its unit test. Thread-safe.
     */
    static final class Plan {
        /** Step → the hit to halt at; 0 = every hit, with the probability. */
        private final Map<String, Long> haltAt;
        private final double probability;
        private final Random random;
        private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();

        Plan(String spec, double probability, long seed) {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException(PROBABILITY_PROPERTY + " is " + probability + "; give 0..1");
            }
            this.haltAt = parse(spec);
            this.probability = probability;
            this.random = new Random(seed);
        }

        static Plan fromSystemProperties() {
            String spec = System.getProperty(PROPERTY, "");
            double p = Double.parseDouble(System.getProperty(PROBABILITY_PROPERTY, "1"));
            String s = System.getProperty(SEED_PROPERTY);
            long seed = s != null ? Long.parseLong(s) : System.nanoTime();
            Plan plan = new Plan(spec, p, seed);
            if (!plan.haltAt.isEmpty()) {
                System.err.println("crash points enabled: " + spec + " with probability " + p + " (seed " + seed + ")");
                System.err.flush();
            }
            return plan;
        }

        /** Records a hit of {@code name}; returns its number when the JVM should halt now, else 0. */
        long hit(String name) {
            // Production path: nothing enabled, nothing counted.
            if (haltAt.isEmpty() || !haltAt.containsKey(name)) {
                return 0;
            }
            long hit = hits.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
            long at = haltAt.get(name);
            if (at > 0) {
                return hit == at ? hit : 0;
            }
            synchronized (random) {
                return random.nextDouble() < probability ? hit : 0;
            }
        }

        static Map<String, Long> parse(String spec) {
            Map<String, Long> out = new ConcurrentHashMap<>();
            for (String entry : Arrays.stream(Objects.requireNonNull(spec).split(",")).map(String::trim)
                    .filter(e -> !e.isEmpty()).toList()) {
                int at = entry.indexOf('@');
                String name = at < 0 ? entry : entry.substring(0, at);
                if (!NAMES.contains(name)) {
                    throw new IllegalArgumentException(PROPERTY + " names unknown step '" + name + "'; known: " + NAMES);
                }
                long n = 0;
                if (at >= 0) {
                    try {
                        n = Long.parseLong(entry.substring(at + 1));
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                    if (n < 1) {
                        throw new IllegalArgumentException(PROPERTY + " entry '" + entry
                                + "': the hit number after '@' must be an integer >= 1");
                    }
                }
                out.put(name, n);
            }
            return Map.copyOf(out);
        }

        Set<String> enabled() {
            return haltAt.keySet().stream().collect(Collectors.toUnmodifiableSet());
        }
    }
}
