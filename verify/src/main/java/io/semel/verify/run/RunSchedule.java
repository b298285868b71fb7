package io.semel.verify.run;

import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.ScheduleOptions;
import io.semel.verify.schedule.TimedFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans a run's faults from the seed, the duration and the enabled kinds only — never the guarantee — so
 * the three guarantees of {@code semel demo} face the same schedule.
 *
 * <p>Short runs (under {@value #SOAK_FROM_S} s) use 6 s windows with no quiet ones and faults of 0.7–2.5 s,
 * so a 20 s run sees several kinds; longer runs use {@link ScheduleOptions#jepsenStyle}. Then the faults a
 * run needs to prove anything are ensured, each inserted into the first free gap if the random draw
 * lacks it (a longest other fault is dropped to make room when there is none):
 * <ul>
 *   <li>{@code crash-after-commit-before-ack} on the processor — exactly-once's non-triviality condition, and
 *       what shows at-least-once's duplicated effects and at-most-once's losses;</li>
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
    static final long SOAK_FROM_S = 300;
    /** Quiet time at the start (processes warm up) and before the heal. */
    static final long EDGE_MS = 1_500;
    /** Space kept between two faults. */
    static final long MARGIN_MS = 400;
    static final long FAULT_MIN_MS = 300;
    static final long CRASH_WINDOW_MIN_MS = 1_500;
    /** Time a killed or crashed process needs to be back at work (JVM start, group join, first batch). */
    static final long RECOVERY_MS = 4_000;

    private record Required(FaultKind kind, String target, long lengthMs) {
    }

    private RunSchedule() {
    }

    /**
     * @param stallMs length of the ensured stall; must exceed the producers' delivery timeout
     */
    public static FaultSchedule plan(long seed, Duration duration, Set<FaultKind> kinds, long stallMs) {
        long healAtMs = duration.toMillis() - EDGE_MS;
        Map<FaultKind, List<String>> targets = targets(kinds);
        if (targets.isEmpty()) {
            return new FaultSchedule(seed, healAtMs, List.of(), List.of());
        }
        ScheduleOptions options = duration.toSeconds() >= SOAK_FROM_S
                ? ScheduleOptions.jepsenStyle(seed, Duration.ofMillis(healAtMs))
                : new ScheduleOptions(seed, Duration.ofMillis(healAtMs), Duration.ofSeconds(6), 0,
                        Duration.ofMillis(800), Duration.ofMillis(2_000), Duration.ofMillis(700), Duration.ofMillis(2_500));
        FaultSchedule random = FaultSchedule.generate(options, targets);
        List<TimedFault> faults = new ArrayList<>();
        long processBackMs = Long.MIN_VALUE / 2;
        for (TimedFault f : random.faults()) {
            boolean crash = f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK;
            // A crash window right after the processor died (kill, crash) or the broker did falls while the new
            // processor is still starting and joining: it would see no batch and never fire.
            if (crash && f.startMs() < processBackMs + RECOVERY_MS) {
                continue;
            }
            if (crash || f.kind() == FaultKind.KILL) {
                processBackMs = f.stopMs();
            }
            // Nothing in the warm-up (the processor may still be joining its group), and no sliver cut short by
            // its window's end: a crash point armed for a few ms may see no batch and never fire.
            long minMs = f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK ? CRASH_WINDOW_MIN_MS : FAULT_MIN_MS;
            if (f.startMs() >= EDGE_MS && f.stopMs() - f.startMs() >= minMs) {
                faults.add(f);
            }
        }
        long windowMs = options.window().toMillis();
        List<Required> required = new ArrayList<>();
        if (kinds.contains(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK)) {
            required.add(new Required(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK, PROCESSOR, 2_000));
        }
        if (kinds.contains(FaultKind.DROP_AFTER_REQUEST)) {
            required.add(new Required(FaultKind.DROP_AFTER_REQUEST, PROXY_PRODUCERS, 1_500));
        }
        if (kinds.contains(FaultKind.STALL)) {
            required.add(new Required(FaultKind.STALL, PROXY_PRODUCERS, stallMs));
        }
        List<TimedFault> drawn = List.copyOf(faults);
        try {
            List<TimedFault> kept = new ArrayList<>();
            for (Required r : required) {
                kept.add(ensure(faults, kept, r, healAtMs, windowMs));
            }
        } catch (IllegalArgumentException fragmented) {
            // The draw left only scattered gaps: lay the ensured faults end to end from the start, then keep
            // every drawn fault that still fits between them.
            faults.clear();
            long t = EDGE_MS;
            for (Required r : required) {
                if (t + r.lengthMs > healAtMs) {
                    throw new IllegalArgumentException("a run of " + healAtMs + " ms has no room for "
                            + r.kind.wireName() + " of " + r.lengthMs + " ms; make it longer");
                }
                faults.add(new TimedFault(r.kind, r.target, t, t + r.lengthMs, (int) (t / windowMs)));
                t += r.lengthMs + MARGIN_MS;
            }
            for (TimedFault f : drawn) {
                if (faults.stream().allMatch(g -> f.stopMs() + MARGIN_MS <= g.startMs() || g.stopMs() + MARGIN_MS <= f.startMs())) {
                    faults.add(f);
                }
            }
        }
        faults.sort(Comparator.comparingLong(TimedFault::startMs));
        List<List<FaultKind>> mixes = new ArrayList<>(random.mixes());
        for (TimedFault f : faults) {
            while (mixes.size() <= f.window()) {
                mixes.add(List.of());
            }
            if (!mixes.get(f.window()).contains(f.kind())) {
                List<FaultKind> m = new ArrayList<>(mixes.get(f.window()));
                m.add(f.kind());
                m.sort(Comparator.naturalOrder());
                mixes.set(f.window(), m);
            }
        }
        return new FaultSchedule(seed, healAtMs, mixes, faults);
    }

    /** Which names each kind may hit. */
    static Map<FaultKind, List<String>> targets(Set<FaultKind> kinds) {
        Map<FaultKind, List<String>> t = new EnumMap<>(FaultKind.class);
        for (FaultKind k : kinds) {
            if (k.proxyPolicy().isPresent()) {
                t.put(k, List.of(PROXY_PRODUCERS, PROXY_PROCESSOR));
            } else if (k == FaultKind.KILL) {
                t.put(k, List.of(BROKER, PROCESSOR));
            } else {
                t.put(k, List.of(PROCESSOR));
            }
        }
        return t;
    }

    /** Returns the fault that meets {@code r}, inserted if needed; {@code kept} are never dropped for room. */
    private static TimedFault ensure(List<TimedFault> faults, List<TimedFault> kept, Required r, long healAtMs,
            long windowMs) {
        for (TimedFault f : faults) {
            if (f.kind() == r.kind && f.target().equals(r.target) && f.stopMs() - f.startMs() >= r.lengthMs
                    && !kept.contains(f)) {
                return f;
            }
        }
        while (true) {
            long start = freeSlot(faults, r.lengthMs, healAtMs, r.kind == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
            if (start >= 0) {
                TimedFault f = new TimedFault(r.kind, r.target, start, start + r.lengthMs, (int) (start / windowMs));
                faults.add(f);
                return f;
            }
            // No room: drop the longest fault not kept for an earlier requirement.
            TimedFault victim = faults.stream().filter(f -> !kept.contains(f))
                    .max(Comparator.comparingLong((TimedFault f) -> f.stopMs() - f.startMs())
                            .thenComparingLong(TimedFault::startMs))
                    .orElseThrow(() -> new IllegalArgumentException("a run of " + healAtMs + " ms has no room for "
                            + r.kind.wireName() + " of " + r.lengthMs + " ms; make it longer"));
            faults.remove(victim);
        }
    }

    /**
     * Earliest start ≥ EDGE_MS with {@code lengthMs} free around it (plus margins), or -1; with
     * {@code afterRecovery}, also {@link #RECOVERY_MS} after any kill or crash.
     */
    private static long freeSlot(List<TimedFault> faults, long lengthMs, long healAtMs, boolean afterRecovery) {
        List<TimedFault> sorted = faults.stream().sorted(Comparator.comparingLong(TimedFault::startMs)).toList();
        long from = EDGE_MS;
        for (TimedFault f : sorted) {
            if (f.startMs() - MARGIN_MS - from >= lengthMs) {
                return from;
            }
            boolean death = f.kind() == FaultKind.KILL || f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK;
            from = Math.max(from, f.stopMs() + (afterRecovery && death ? RECOVERY_MS : MARGIN_MS));
        }
        return healAtMs - from >= lengthMs ? from : -1;
    }
}
