package io.semel.verify.run;

import io.semel.verify.schedule.CoveringPlanner;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans a run's faults from the seed, the duration, the enabled kinds and the run's roster only — never the
 * guarantee — so the three guarantees of {@code semel demo} face the same schedule. The planning itself is
 * {@link CoveringPlanner}'s: every enabled kind occurs, faults overlap (a network fault, a pause inside it, a
 * broker death inside that, once per started minute), and the faults a run needs to prove anything are placed
 * first:
 * <ul>
 *   <li>{@code crash-after-commit-before-ack} (3 s) on the first processor — exactly-once's non-triviality condition,
 *       and what shows at-least-once's duplicated effects and at-most-once's losses;</li>
 *   <li>{@code drop-after-request} on the producers' proxy — a lost reply: unknown sends, and duplicates in
 *       the log for a producer that retries without idempotence;</li>
 *   <li>{@code stall} on the producers' proxy, longer than the producers' delivery timeout — unknown sends
 *       even for the idempotent producer, which otherwise resolves lost replies by retrying.</li>
 * </ul>
 */
public final class RunSchedule {
    public static final String BROKER = "broker";
    public static final String PROCESSOR = "c1";
    public static final String PROXY_PRODUCERS = "px-producers";
    public static final String PROXY_PROCESSOR = "px-processor";
    /** Quiet time at the start (processes warm up) and before the heal. */
    static final long EDGE_MS = 1_500;
    /** Space kept between two faults on one target. */
    static final long MARGIN_MS = 400;
    static final long CRASH_WINDOW_MIN_MS = 1_500;
    /** Time a killed or crashed process needs to be back at work (JVM start, group join, first batch). */
    static final long RECOVERY_MS = 4_000;
    /** Most faults on at once. */
    static final int CONCURRENT_MAX = 3;
    /** The fill aims at one fault per this much run time (on top of the needed and composed ones). */
    static final long SPACING_MS = 2_500;
    static final long WINDOW_MS = 6_000;
    /** Every enabled kind is planned in runs of 60 s or more (they heal {@link #EDGE_MS} before their end). */
    static final long COVER_FROM_MS = 60_000 - EDGE_MS;
    /** The Kafka engine's node targets ({@code KafkaCluster}); {@link #CONTROLLER} is the active controller. */
    public static final List<String> KAFKA_NODES = List.of("k1", "k2", "k3");
    public static final String CONTROLLER = "controller";
    /** The rebalance storm's target: the consumer group, which a spare member joins and leaves. */
    public static final String GROUP = "group";
    /** The Kafka engine's outbox relay, and the second relay with the same relay name. */
    public static final String RELAY = "r1";
    public static final String SECOND_RELAY = "r2";
    /**
     * Kafka engine: time a killed node or processor needs to be back at work (a processor: a JVM start, a group join
     * and its claims). A node restart after SIGKILL takes 10-40 s on a loaded 2-core machine; the plan does not wait
     * that long, the nemesis does: a node fault starts only once the other nodes are up ({@code KafkaCluster}).
     */
    static final long KAFKA_RECOVERY_MS = 8_000;
    /** Kafka engine: quiet time at the start, while the processors join the group and claim their partitions. */
    static final long KAFKA_EDGE_MS = 8_000;

    /**
     * Who can be hit: the processors (consumer group members) and the producers that run as child JVMs (none
     * when the producers live in the harness).
     */
    public record Roster(List<String> processors, List<String> producerChildren) {
        public Roster {
            processors = List.copyOf(processors);
            producerChildren = List.copyOf(producerChildren);
            if (processors.isEmpty()) {
                throw new IllegalArgumentException("a run needs at least one processor");
            }
        }

        /** One processor, producers in the harness. */
        public static final Roster SINGLE = new Roster(List.of(PROCESSOR), List.of());
    }

    private RunSchedule() {
    }

    /** {@link #plan(long, Duration, Set, long, Roster)} for one processor and in-harness producers. */
    public static FaultSchedule plan(long seed, Duration duration, Set<FaultKind> kinds, long stallMs) {
        return plan(seed, duration, kinds, stallMs, Roster.SINGLE);
    }

    /**
     * @param stallMs length of the needed stall; must exceed the producers' delivery timeout
     */
    public static FaultSchedule plan(long seed, Duration duration, Set<FaultKind> kinds, long stallMs, Roster roster) {
        long healAtMs = duration.toMillis() - EDGE_MS;
        Map<FaultKind, List<String>> targets = targets(kinds, roster);
        if (targets.isEmpty()) {
            return new FaultSchedule(seed, healAtMs, List.of(), List.of());
        }
        List<CoveringPlanner.Need> needs = new ArrayList<>();
        if (targets.containsKey(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK)) {
            needs.add(new CoveringPlanner.Need(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK, roster.processors().get(0), 3_000));
        }
        if (targets.containsKey(FaultKind.DROP_AFTER_REQUEST)) {
            needs.add(new CoveringPlanner.Need(FaultKind.DROP_AFTER_REQUEST, PROXY_PRODUCERS, 1_500));
        }
        if (targets.containsKey(FaultKind.STALL)) {
            needs.add(new CoveringPlanner.Need(FaultKind.STALL, PROXY_PRODUCERS, stallMs));
        }
        CoveringPlanner.Rules rules = new CoveringPlanner.Rules(EDGE_MS, MARGIN_MS, RECOVERY_MS, CONCURRENT_MAX,
                SPACING_MS, WINDOW_MS, COVER_FROM_MS);
        // A crash window needs batches flowing to its processor: nothing on the broker or on either proxy meanwhile.
        return CoveringPlanner.plan(seed, healAtMs, targets, needs, Set.of(BROKER, PROXY_PROCESSOR, PROXY_PRODUCERS),
                BROKER, rules);
    }

    /**
     * The Kafka engine's plan: the same planner and needs, with the three nodes and the active controller as broker
     * targets of which only one is hit at a time, and the Kafka-only kinds on the processors (the rebalance storm on
     * {@link #GROUP}, only with {@code storm}: a second member needs a shared PostgreSQL store).
     *
     * @param zombieMinMs the shortest zombie: past the processors' group session timeout
     */
    public static FaultSchedule planKafka(long seed, Duration duration, Set<FaultKind> kinds, long stallMs,
            Roster roster, boolean storm, long zombieMinMs) {
        long healAtMs = duration.toMillis() - EDGE_MS;
        Map<FaultKind, List<String>> targets = new EnumMap<>(FaultKind.class);
        List<String> brokers = new ArrayList<>(KAFKA_NODES);
        brokers.add(CONTROLLER);
        for (FaultKind k : kinds) {
            if (k.proxyPolicy().isPresent()) {
                // Replaying a Kafka request would need its own framing rules (correlation ids); not offered.
                if (k != FaultKind.REPLAY_STALE) {
                    targets.put(k, List.of(PROXY_PRODUCERS, PROXY_PROCESSOR));
                }
                continue;
            }
            switch (k) {
                case KILL, PAUSE -> {
                    List<String> all = new ArrayList<>(brokers);
                    all.addAll(roster.processors());
                    all.addAll(roster.producerChildren());
                    all.add(RELAY);
                    targets.put(k, all);
                }
                case RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT, RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT,
                        BROKER_KILL_IN_RELAY_TRANSACTION -> targets.put(k, List.of(RELAY));
                case SECOND_RELAY -> targets.put(k, List.of(SECOND_RELAY));
                case CRASH_AFTER_COMMIT_BEFORE_ACK, CRASH_AFTER_CLAIM, CRASH_AFTER_HANDLER_BEFORE_COMMIT, ZOMBIE ->
                        targets.put(k, roster.processors());
                case REBALANCE_STORM -> {
                    if (storm) {
                        targets.put(k, List.of(GROUP));
                    }
                }
                default -> {
                    // power loss and clock jumps are Semel-engine faults (see docs/kafka.md)
                }
            }
        }
        if (targets.isEmpty()) {
            return new FaultSchedule(seed, healAtMs, List.of(), List.of());
        }
        List<CoveringPlanner.Need> needs = new ArrayList<>();
        if (targets.containsKey(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK)) {
            needs.add(new CoveringPlanner.Need(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK, roster.processors().get(0), 3_000));
        }
        if (targets.containsKey(FaultKind.DROP_AFTER_REQUEST)) {
            needs.add(new CoveringPlanner.Need(FaultKind.DROP_AFTER_REQUEST, PROXY_PRODUCERS, 1_500));
        }
        if (targets.containsKey(FaultKind.STALL)) {
            needs.add(new CoveringPlanner.Need(FaultKind.STALL, PROXY_PRODUCERS, stallMs));
        }
        // The Kafka-only processor faults are wished for on the first processor, in this order: each placed where it
        // fits before the composed and filler faults crowd the run.
        List<CoveringPlanner.Need> wishes = new ArrayList<>();
        // Longest first: the zombie needs the widest quiet window.
        List<FaultKind> wished = List.of(FaultKind.ZOMBIE, FaultKind.CRASH_AFTER_HANDLER_BEFORE_COMMIT,
                FaultKind.CRASH_AFTER_CLAIM, FaultKind.REBALANCE_STORM, FaultKind.BROKER_KILL_IN_RELAY_TRANSACTION,
                FaultKind.RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT, FaultKind.RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT,
                FaultKind.SECOND_RELAY);
        for (int i = 0; i < wished.size(); i++) {
            FaultKind k = wished.get(i);
            if (targets.containsKey(k)) {
                // Spread over the processors (the crash-after-commit need is on the first one).
                String target = k == FaultKind.REBALANCE_STORM ? GROUP : k.isRelayFault() ? targets.get(k).get(0)
                        : roster.processors().get((i + 1) % roster.processors().size());
                long length = switch (k) {
                    case ZOMBIE -> zombieMinMs + 1_000;
                    case REBALANCE_STORM, SECOND_RELAY -> 8_000;
                    case BROKER_KILL_IN_RELAY_TRANSACTION -> 6_000;
                    default -> 3_500;
                };
                wishes.add(new CoveringPlanner.Need(k, target, length));
            }
        }
        CoveringPlanner.Rules rules = new CoveringPlanner.Rules(KAFKA_EDGE_MS, MARGIN_MS, KAFKA_RECOVERY_MS, CONCURRENT_MAX,
                SPACING_MS, WINDOW_MS, COVER_FROM_MS);
        Set<String> quiet = new java.util.HashSet<>(brokers);
        quiet.addAll(List.of(PROXY_PROCESSOR, PROXY_PRODUCERS, GROUP));
        return CoveringPlanner.plan(seed, healAtMs, targets, needs, wishes, quiet, CONTROLLER, rules,
                Set.copyOf(brokers), zombieMinMs);
    }

    /** Which names each kind may hit. */
    static Map<FaultKind, List<String>> targets(Set<FaultKind> kinds, Roster roster) {
        Map<FaultKind, List<String>> t = new EnumMap<>(FaultKind.class);
        List<String> processes = new ArrayList<>();
        processes.add(BROKER);
        processes.addAll(roster.processors());
        processes.addAll(roster.producerChildren());
        for (FaultKind k : kinds) {
            if (k.proxyPolicy().isPresent()) {
                t.put(k, List.of(PROXY_PRODUCERS, PROXY_PROCESSOR));
            } else {
                t.put(k, switch (k) {
                    case KILL, PAUSE -> processes;
                    case POWER_LOSS -> List.of(BROKER);
                    case CLOCK_JUMP -> {
                        List<String> clocks = new ArrayList<>(List.of(BROKER));
                        clocks.addAll(roster.processors());
                        yield clocks;
                    }
                    default -> k.kafkaOnly() ? List.of() : roster.processors();
                });
            }
        }
        return t;
    }
}
