package io.semel.verify.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans a run's faults so that every enabled kind occurs and faults overlap (Jepsen's composed nemeses), from a
 * seed alone. Four passes over one seeded {@link Random}, each placing faults where the {@link Rules} allow:
 * <ol>
 *   <li><b>needs</b>: the faults the run requires (a crash window, lost replies, a long stall), each at the first
 *       feasible of a few random starts, else the earliest feasible start; if one does not fit (a short run
 *       fragmented by the random starts) all needs are laid out earliest-first instead;</li>
 *   <li><b>compositions</b>, one per started minute: a network fault with a process paused inside it and the
 *       broker killed (or power-cut) inside that, the three on different targets, so they overlap by design;</li>
 *   <li><b>coverage</b> (runs healing at or after {@link Rules#coverFromMs()}): each enabled kind that is still
 *       missing, once, on a random target;</li>
 *   <li><b>fill</b>: weighted draws until about one fault per {@link Rules#spacingMs()}: a kind's weight is
 *       {@code 1 / (1 + times it already occurs)}, so rare kinds catch up instead of depending on a lucky draw.</li>
 * </ol>
 * One target has one fault at a time (a proxy has one policy, a process one state); different targets overlap,
 * at most {@link Rules#concurrentMax()} at once. A death (kill, power loss, crash) keeps its target free for
 * {@link Rules#recoveryMs()} after its stop: the restart takes a JVM start and a group join. A crash window on a
 * processor needs that processor processing: nothing may overlap it on the processor, or on the
 * {@code crashQuiet} targets it depends on (the broker, the processors' proxy).
 *
 * <p>Deterministic: same arguments, same schedule. Pure; not thread-safe only in that it holds no state.
 */
public final class CoveringPlanner {
    /**
     * @param edgeMs quiet time at the start of the run (processes warm up)
     * @param marginMs time kept free on a target between two of its faults
     * @param recoveryMs time kept free on a target after its death
     * @param concurrentMax most faults on at one instant
     * @param spacingMs the fill pass aims at one fault per this much run time
     * @param windowMs length of a report window ({@link FaultSchedule#mixes()})
     * @param coverFromMs the coverage pass runs when the run heals at or after this; shorter runs are too dense
     *     with every kind in them to do much work between faults
     * @param restartMs time kept free on a child process (not the broker, not a {@code oneAtATime} node) after its
     *     death: its restart (a JVM start, a group join, a first batch) before its next fault
     * @param nodeRestartMs time kept free on the broker, or on the {@code oneAtATime} nodes together, after a death
     *     of one of them: the node's restart, which the nemesis runs on that target before its next fault (a fault
     *     whose window passes meanwhile is skipped: a failed start)
     */
    public record Rules(long edgeMs, long marginMs, long recoveryMs, int concurrentMax, long spacingMs, long windowMs,
            long coverFromMs, long restartMs, long nodeRestartMs) {
        public Rules {
            if (edgeMs < 0 || marginMs < 0 || recoveryMs < 0 || concurrentMax < 1 || spacingMs < 1 || windowMs < 1
                    || coverFromMs < 0 || restartMs < 0 || nodeRestartMs < 0) {
                throw new IllegalArgumentException("invalid planner rules " + this);
            }
        }

        /** Every process, the broker included, restarts in {@code recoveryMs}. */
        public Rules(long edgeMs, long marginMs, long recoveryMs, int concurrentMax, long spacingMs, long windowMs,
                long coverFromMs) {
            this(edgeMs, marginMs, recoveryMs, concurrentMax, spacingMs, windowMs, coverFromMs, recoveryMs, recoveryMs);
        }
    }

    /** A fault the run needs: {@code kind} on {@code target} for {@code lengthMs}. */
    public record Need(FaultKind kind, String target, long lengthMs) {
        public Need {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(target, "target");
        }
    }

    static final int RANDOM_TRIES = 64;
    static final long SCAN_STEP_MS = 100;
    static final long COMPOSITION_MS = 5_000;
    static final long COMPOSED_PAUSE_AT_MS = 600;
    static final long COMPOSED_PAUSE_MS = 3_400;
    static final long COMPOSED_DEATH_AT_MS = 1_200;
    static final long COMPOSED_DEATH_MS = 1_800;

    private final Rules rules;
    private final long healAtMs;
    private final SortedMap<FaultKind, List<String>> targets = new TreeMap<>();
    private final Set<String> crashQuiet;
    private final String broker;
    private final Set<String> oneAtATime;
    private final long zombieMinMs;
    private final Random random;
    private final List<TimedFault> faults = new ArrayList<>();
    /** Kinds the coverage and fill passes leave alone: a chain placed them where they can take effect. */
    private final Set<FaultKind> chained = java.util.EnumSet.noneOf(FaultKind.class);

    private CoveringPlanner(long seed, long healAtMs, Map<FaultKind, List<String>> targets, Set<String> crashQuiet,
            String broker, Rules rules, Set<String> oneAtATime, long zombieMinMs) {
        this.oneAtATime = Set.copyOf(oneAtATime);
        this.zombieMinMs = zombieMinMs;
        this.rules = rules;
        this.healAtMs = healAtMs;
        targets.forEach((k, t) -> {
            if (!t.isEmpty()) {
                this.targets.put(k, List.copyOf(t));
            }
        });
        this.crashQuiet = Set.copyOf(crashQuiet);
        this.broker = broker;
        this.random = new Random(seed);
    }

    /**
     * @param targets per enabled kind, the names it may hit (kinds with none are ignored)
     * @param needs placed first, in order; the run is too short if one does not fit
     * @param crashQuiet targets a crash window must not overlap (besides its own processor)
     * @param broker the broker's name: the target of the composed death
     */
    public static FaultSchedule plan(long seed, long healAtMs, Map<FaultKind, List<String>> targets, List<Need> needs,
            Set<String> crashQuiet, String broker, Rules rules) {
        return plan(seed, healAtMs, targets, needs, List.of(), crashQuiet, broker, rules, Set.of(), 8_000);
    }

    /**
     * {@link #plan(long, long, Map, List, Set, String, Rules)} where the targets in {@code oneAtATime} count as one
     * target (the Kafka nodes: one of three may be down or paused at a time, and one more would lose the quorum and
     * the ISR of two), a zombie lasts at least {@code zombieMinMs}, and {@code wishes} are placed right after the
     * needs, each where it fits (a wish that does not fit a short run is left out, and the coverage pass of a long
     * run tries it again).
     */
    public static FaultSchedule plan(long seed, long healAtMs, Map<FaultKind, List<String>> targets, List<Need> needs,
            List<Need> wishes, Set<String> crashQuiet, String broker, Rules rules, Set<String> oneAtATime,
            long zombieMinMs) {
        return plan(seed, healAtMs, targets, List.of(), needs, wishes, crashQuiet, broker, rules, oneAtATime,
                zombieMinMs);
    }

    /**
     * {@link #plan(long, long, Map, List, List, Set, String, Rules, Set, long)} with a {@code chain} placed before
     * everything else: each link at the earliest start where it fits, in order, so the faults that fire only when
     * their process reaches a step (crash points, the zombie) come early, one after another on each target, spaced
     * by the rules (a death keeps its process free for {@link Rules#restartMs()}). A link that does not fit is left
     * out. The chained kinds occur only as chained: the coverage and fill passes add none of them (one planned late
     * would wait for a process still restarting from the one before and never take effect).
     */
    public static FaultSchedule plan(long seed, long healAtMs, Map<FaultKind, List<String>> targets, List<Need> chain,
            List<Need> needs, List<Need> wishes, Set<String> crashQuiet, String broker, Rules rules,
            Set<String> oneAtATime, long zombieMinMs) {
        CoveringPlanner p = new CoveringPlanner(seed, healAtMs, targets, crashQuiet, broker, rules, oneAtATime,
                zombieMinMs);
        for (Need link : chain) {
            p.chained.add(link.kind);
            try {
                p.placeNeed(link, false);
            } catch (IllegalArgumentException noRoom) {
                // a short run: the chain ends here
            }
        }
        List<TimedFault> chainFaults = List.copyOf(p.faults);
        try {
            for (Need n : needs) {
                p.placeNeed(n, true);
            }
        } catch (IllegalArgumentException fragmented) {
            // Random starts left only scattered gaps (a short run): lay the needs out earliest-first instead.
            p.faults.clear();
            p.faults.addAll(chainFaults);
            for (Need n : needs) {
                p.placeNeed(n, false);
            }
        }
        for (Need w : wishes) {
            try {
                p.placeNeed(w, true);
            } catch (IllegalArgumentException noRoom) {
                // a wish, not a need: the run goes on without it
            }
        }
        for (long minute = 0; minute * 60_000 < healAtMs; minute++) {
            p.compose();
        }
        if (healAtMs >= rules.coverFromMs()) {
            p.cover();
        }
        p.fill();
        return p.toSchedule(seed);
    }

    private void placeNeed(Need n, boolean randomFirst) {
        for (int i = 0; randomFirst && i < RANDOM_TRIES; i++) {
            if (tryAdd(n.kind, n.target, randomStart(n.lengthMs), n.lengthMs)) {
                return;
            }
        }
        for (long t = rules.edgeMs(); t + n.lengthMs <= healAtMs; t += SCAN_STEP_MS) {
            if (tryAdd(n.kind, n.target, t, n.lengthMs)) {
                return;
            }
        }
        throw new IllegalArgumentException("a run healed at " + healAtMs + " ms has no room for " + n.kind.wireName()
                + " on " + n.target + " for " + n.lengthMs + " ms; make it longer");
    }

    /** A network fault, a pause inside it and a broker death inside that; as many of the three as are enabled. */
    private void compose() {
        List<FaultKind> network = targets.keySet().stream()
                .filter(k -> k.proxyPolicy().isPresent() && k != FaultKind.RESET).toList();
        List<String> pausable = targets.getOrDefault(FaultKind.PAUSE, List.of()).stream()
                .filter(t -> !t.equals(broker)).toList();
        List<FaultKind> deaths = List.of(FaultKind.KILL, FaultKind.POWER_LOSS).stream()
                .filter(k -> targets.getOrDefault(k, List.of()).contains(broker)).toList();
        int parts = (network.isEmpty() ? 0 : 1) + (pausable.isEmpty() ? 0 : 1) + (deaths.isEmpty() ? 0 : 1);
        if (parts < 2) {
            return;
        }
        FaultKind net = network.isEmpty() ? null : network.get(random.nextInt(network.size()));
        String proxy = net == null ? null : pick(targets.get(net));
        String paused = pausable.isEmpty() ? null : pick(pausable);
        FaultKind death = deaths.isEmpty() ? null : deaths.get(random.nextInt(deaths.size()));
        for (int i = 0; i < RANDOM_TRIES; i++) {
            long t = randomStart(COMPOSITION_MS);
            List<TimedFault> trio = new ArrayList<>();
            if (net != null) {
                trio.add(new TimedFault(net, proxy, t, t + COMPOSITION_MS, 0));
            }
            if (paused != null) {
                trio.add(new TimedFault(FaultKind.PAUSE, paused, t + COMPOSED_PAUSE_AT_MS,
                        t + COMPOSED_PAUSE_AT_MS + COMPOSED_PAUSE_MS, 0));
            }
            if (death != null) {
                trio.add(new TimedFault(death, broker, t + COMPOSED_DEATH_AT_MS,
                        t + COMPOSED_DEATH_AT_MS + COMPOSED_DEATH_MS, 0));
            }
            if (t >= rules.edgeMs() && t + COMPOSITION_MS <= healAtMs && fitsTogether(trio)) {
                trio.forEach(f -> faults.add(withWindow(f)));
                return;
            }
        }
    }

    private void cover() {
        List<FaultKind> missing = new ArrayList<>(targets.keySet());
        missing.removeIf(k -> chained.contains(k) || faults.stream().anyMatch(f -> f.kind() == k));
        java.util.Collections.shuffle(missing, random);
        for (FaultKind k : missing) {
            for (int i = 0; i < RANDOM_TRIES * 4; i++) {
                long length = length(k);
                if (tryAdd(k, pick(targets.get(k)), randomStart(length), length)) {
                    break;
                }
            }
        }
    }

    private void fill() {
        long wanted = Math.max(1, (healAtMs - rules.edgeMs()) / rules.spacingMs());
        for (long attempt = 0; faults.size() < wanted && attempt < wanted * 8; attempt++) {
            FaultKind k = weightedKind();
            long length = length(k);
            tryAdd(k, pick(targets.get(k)), randomStart(length), length);
        }
    }

    private FaultKind weightedKind() {
        Map<FaultKind, Double> weight = new EnumMap<>(FaultKind.class);
        double total = 0;
        for (FaultKind k : targets.keySet()) {
            if (chained.contains(k)) {
                continue;
            }
            long n = faults.stream().filter(f -> f.kind() == k).count();
            double w = 1.0 / (1 + n);
            weight.put(k, w);
            total += w;
        }
        double r = random.nextDouble() * total;
        FaultKind last = null;
        for (Map.Entry<FaultKind, Double> e : weight.entrySet()) {
            last = e.getKey();
            r -= e.getValue();
            if (r <= 0) {
                return e.getKey();
            }
        }
        return last;
    }

    /** How long a fault of this kind stays on, seeded; bounds in milliseconds. */
    private long length(FaultKind k) {
        long[] range = switch (k) {
            case KILL, POWER_LOSS -> new long[] {1_000, 3_000};
            case PAUSE -> new long[] {700, 3_000};
            case CRASH_AFTER_COMMIT_BEFORE_ACK, CRASH_AFTER_HANDLER_BEFORE_COMMIT -> new long[] {2_000, 3_000};
            case CRASH_AFTER_CLAIM -> new long[] {3_000, 4_000};
            // Past the Kafka processors' session timeout, so the group moves the zombie's partitions.
            case ZOMBIE -> new long[] {zombieMinMs, zombieMinMs + 2_000};
            case REBALANCE_STORM, SECOND_RELAY -> new long[] {6_000, 9_000};
            case RELAY_CRASH_AFTER_SEND_BEFORE_COMMIT, RELAY_CRASH_AFTER_COMMIT_BEFORE_MARK_SENT -> new long[] {2_000, 3_000};
            case BROKER_KILL_IN_RELAY_TRANSACTION -> new long[] {5_000, 7_000};
            case LATENCY_SPIKE, DROP_REQUESTS, DROP_REPLIES -> new long[] {1_000, 3_000};
            case CLOCK_JUMP -> new long[] {2_000, 5_000};
            default -> new long[] {700, 2_500};
        };
        return range[0] + random.nextLong(range[1] - range[0] + 1);
    }

    private long randomStart(long lengthMs) {
        long latest = healAtMs - lengthMs;
        return latest <= rules.edgeMs() ? rules.edgeMs() : rules.edgeMs() + random.nextLong(latest - rules.edgeMs() + 1);
    }

    private String pick(List<String> names) {
        return names.get(random.nextInt(names.size()));
    }

    private boolean tryAdd(FaultKind kind, String target, long start, long length) {
        if (start < rules.edgeMs() || start + length > healAtMs) {
            return false;
        }
        TimedFault f = new TimedFault(kind, target, start, start + length, (int) (start / rules.windowMs()));
        if (!fitsTogether(List.of(f))) {
            return false;
        }
        faults.add(f);
        return true;
    }

    /** Whether {@code news} (on distinct targets) can all join the planned faults. */
    private boolean fitsTogether(List<TimedFault> news) {
        List<TimedFault> all = new ArrayList<>(faults);
        for (TimedFault n : news) {
            for (TimedFault f : all) {
                if (conflict(n, f)) {
                    return false;
                }
            }
            all.add(n);
        }
        // The most faults on at once is reached at some fault's start: check every start inside a new fault.
        for (TimedFault n : news) {
            for (TimedFault f : all) {
                long at = f.startMs();
                if (at >= n.startMs() && at < n.stopMs() && onAt(all, at) > rules.concurrentMax()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long onAt(List<TimedFault> all, long atMs) {
        return all.stream().filter(f -> f.startMs() <= atMs && atMs < f.stopMs()).count();
    }

    private boolean conflict(TimedFault a, TimedFault b) {
        boolean sameTarget = a.target().equals(b.target())
                || (oneAtATime.contains(a.target()) && oneAtATime.contains(b.target()));
        if (sameTarget && !apart(a, b)) {
            return true;
        }
        return crashBlocks(a, b) || crashBlocks(b, a);
    }

    /** A crash window {@code c} is blocked by anything on its processor or on a target it depends on. */
    private boolean crashBlocks(TimedFault c, TimedFault other) {
        if (!c.kind().isCrashWindow()) {
            return false;
        }
        boolean own = other.target().equals(c.target());
        // On the Kafka engine (oneAtATime given) another processor's crash window is not in the way: the group moves
        // its partitions to this one. The Semel engine keeps its crash windows apart, as it always planned them.
        boolean related = own || crashQuiet.contains(other.target())
                || (oneAtATime.isEmpty() && other.kind().isCrashWindow());
        if (!related) {
            return false;
        }
        // Only the crashed processor itself needs time to come back before its next fault (its restart when the
        // window is a death). Before the crash, a death (of the broker above all) needs twice the recovery time: the
        // broker's restart, then every member rejoining under the backlog, all before the window can see a batch;
        // a death of the window's own process needs its restart.
        long afterCrash = !own ? rules.marginMs() : c.kind().isDeath() ? rules.restartMs() : rules.recoveryMs();
        long afterOther = !other.kind().isDeath() ? rules.marginMs()
                : own ? Math.max(rules.restartMs(), 2 * rules.recoveryMs()) : 2 * rules.recoveryMs();
        return !(c.stopMs() + afterCrash <= other.startMs() || other.stopMs() + afterOther <= c.startMs());
    }

    /** Disjoint, with the margin (or the recovery or restart time after a death) between them. */
    private boolean apart(TimedFault a, TimedFault b) {
        return a.stopMs() + after(a) <= b.startMs() || b.stopMs() + after(b) <= a.startMs();
    }

    /** Time kept free on a fault's target after it: a broker or node restarts, a child process restarts. */
    private long after(TimedFault f) {
        if (!f.kind().isDeath()) {
            return rules.marginMs();
        }
        boolean node = f.target().equals(broker) || oneAtATime.contains(f.target());
        return node ? rules.nodeRestartMs() : rules.restartMs();
    }

    private TimedFault withWindow(TimedFault f) {
        return new TimedFault(f.kind(), f.target(), f.startMs(), f.stopMs(), (int) (f.startMs() / rules.windowMs()));
    }

    private FaultSchedule toSchedule(long seed) {
        List<TimedFault> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparingLong(TimedFault::startMs).thenComparing(TimedFault::target));
        int windows = (int) ((healAtMs + rules.windowMs() - 1) / rules.windowMs());
        List<List<FaultKind>> mixes = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            int window = w;
            mixes.add(sorted.stream().filter(f -> f.window() == window).map(TimedFault::kind).distinct().sorted().toList());
        }
        return new FaultSchedule(seed, healAtMs, mixes, sorted);
    }
}
