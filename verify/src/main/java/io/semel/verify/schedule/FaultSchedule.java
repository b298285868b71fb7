package io.semel.verify.schedule;

import io.semel.verify.history.ScheduledFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A fault timeline as data: the orchestrator executes it, and {@link #scheduledFaults()} goes into the history
 * header. Immutable.
 *
 * <h2>Generation</h2>
 * The run is cut into windows of {@link ScheduleOptions#window()}. Each window is quiet with probability
 * {@link ScheduleOptions#quietProbability()}, otherwise it enables a random non-empty subset of the fault kinds
 * offered (its "mix"). Inside a non-quiet window, after a gap in [gapMin, gapMax], one fault of the mix is
 * injected into one of its targets and stays on for [faultMin, faultMax]; then the next gap, and so on. Faults
 * never overlap: a kill is never stacked on a pause of the same process, and every anomaly has one suspect.
 * A fault that would outlast its window is cut at the window's end; every fault is healed by
 * {@link #healAtMs()}, the end of the run, where the orchestrator heals everything regardless.
 *
 * <p>Deterministic: one {@link Random} seeded with {@link ScheduleOptions#seed()} and stable iteration
 * (kinds in enum order, targets in the order given), so the same seed and inputs give the same schedule.
 *
 * @param mixes per window, the kinds enabled; empty = quiet
 */
public record FaultSchedule(long seed, long healAtMs, List<List<FaultKind>> mixes, List<TimedFault> faults) {
    public FaultSchedule {
        mixes = mixes.stream().map(List::copyOf).toList();
        faults = List.copyOf(faults);
        for (TimedFault f : faults) {
            if (f.stopMs() > healAtMs) {
                throw new IllegalArgumentException("fault " + f + " stops after the final heal at " + healAtMs + " ms");
            }
        }
    }

    /**
     * Plans faults for a run.
     *
     * @param targets per enabled kind, the names it may hit (proxy names for network kinds, process names for
     *     process kinds); kinds with no targets are ignored
     */
    public static FaultSchedule generate(ScheduleOptions options, Map<FaultKind, List<String>> targets) {
        Objects.requireNonNull(options, "options");
        SortedMap<FaultKind, List<String>> offered = new TreeMap<>();
        targets.forEach((k, t) -> {
            if (!t.isEmpty()) {
                offered.put(k, List.copyOf(t));
            }
        });
        if (offered.isEmpty()) {
            throw new IllegalArgumentException("no fault kind with a target was offered: " + targets);
        }
        Random random = new Random(options.seed());
        long durationMs = options.duration().toMillis();
        long windowMs = options.window().toMillis();
        List<List<FaultKind>> mixes = new ArrayList<>();
        List<TimedFault> faults = new ArrayList<>();
        for (long start = 0; start < durationMs; start += windowMs) {
            int index = mixes.size();
            List<FaultKind> mix = pickMix(random, new ArrayList<>(offered.keySet()), options.quietProbability());
            mixes.add(mix);
            long end = Math.min(start + windowMs, durationMs);
            long t = start + between(random, options.gapMin(), options.gapMax());
            while (!mix.isEmpty() && t < end) {
                FaultKind kind = mix.get(random.nextInt(mix.size()));
                List<String> candidates = offered.get(kind);
                String target = candidates.get(random.nextInt(candidates.size()));
                long stop = Math.min(t + between(random, options.faultMin(), options.faultMax()), end);
                faults.add(new TimedFault(kind, target, t, stop, index));
                t = stop + between(random, options.gapMin(), options.gapMax());
            }
        }
        return new FaultSchedule(options.seed(), durationMs, mixes, faults);
    }

    private static List<FaultKind> pickMix(Random random, List<FaultKind> kinds, double quietProbability) {
        if (random.nextDouble() < quietProbability) {
            return List.of();
        }
        List<FaultKind> mix = new ArrayList<>();
        // A random non-empty subset: include each kind with probability ½, then force one in if none was.
        for (FaultKind k : kinds) {
            if (random.nextBoolean()) {
                mix.add(k);
            }
        }
        if (mix.isEmpty()) {
            mix.add(kinds.get(random.nextInt(kinds.size())));
        }
        return Collections.unmodifiableList(mix);
    }

    private static long between(Random random, Duration min, Duration max) {
        long lo = min.toMillis();
        long hi = max.toMillis();
        return lo == hi ? lo : lo + random.nextLong(hi - lo + 1);
    }

    /** The header's {@code faults}: one entry per planned fault, in start order. */
    public List<ScheduledFault> scheduledFaults() {
        return faults.stream().map(TimedFault::toScheduledFault).toList();
    }

    /** Planned faults per kind, in enum order. */
    public Map<FaultKind, Long> countByKind() {
        Map<FaultKind, Long> out = new EnumMap<>(FaultKind.class);
        faults.forEach(f -> out.merge(f.kind(), 1L, Long::sum));
        return Collections.unmodifiableMap(out);
    }

    /** Windows that inject nothing. */
    public long quietWindows() {
        return mixes.stream().filter(List::isEmpty).count();
    }
}
