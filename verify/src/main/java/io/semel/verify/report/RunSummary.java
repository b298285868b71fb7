package io.semel.verify.report;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Verdict;
import java.util.ArrayList;
import io.semel.verify.history.Guarantee;
import io.semel.verify.schedule.FaultSchedule;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the reports show about one run; the orchestrator fills it. Immutable.
 *
 * @param guarantee the guarantee the run was configured with
 * @param seed the run's seed (workload and schedule)
 * @param duration wall time of the run, faults and final phase included
 * @param schedule the planned faults
 * @param result the checker's judgement
 * @param confirmedPerSecond confirmed sends in each second of the run, second 0 first
 * @param faults the faults that took effect, with their times
 * @param health what the harness saw go wrong itself (child lines, producer stops); it can make the verdict worse
 */
public record RunSummary(Guarantee guarantee, long seed, Duration duration, FaultSchedule schedule, CheckResult result,
        List<Long> confirmedPerSecond, List<InjectedFault> faults, RunHealth health) {
    public RunSummary {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(result, "result");
        confirmedPerSecond = List.copyOf(confirmedPerSecond);
        faults = List.copyOf(faults);
    }

    /** A summary without harness figures ({@link RunHealth#NOT_MEASURED}). */
    public RunSummary(Guarantee guarantee, long seed, Duration duration, FaultSchedule schedule, CheckResult result,
            List<Long> confirmedPerSecond, List<InjectedFault> faults) {
        this(guarantee, seed, duration, schedule, result, confirmedPerSecond, faults, RunHealth.NOT_MEASURED);
    }

    /** The run's verdict: the checker's, made worse by the harness's own findings ({@link RunHealth#cap}). */
    public Verdict verdict() {
        return health.cap(result.verdict(), guarantee);
    }

    /** The checker's reasons, then the harness's. */
    public List<String> reasons() {
        List<String> out = new ArrayList<>(result.reasons());
        out.addAll(health.problems(guarantee));
        return List.copyOf(out);
    }

    /** Injected faults per wire name, sorted by name. */
    public SortedMap<String, Long> faultsByKind() {
        SortedMap<String, Long> out = new TreeMap<>();
        faults.forEach(f -> out.merge(f.fault(), 1L, Long::sum));
        return Collections.unmodifiableSortedMap(out);
    }

    /** Groups of injected faults that chained together by overlapping ({@link FaultOverlaps#groups}). */
    public List<List<InjectedFault>> overlaps() {
        return FaultOverlaps.groups(faults, duration.toMillis());
    }

    /** Every pair of injected faults that were on at the same time ({@link FaultOverlaps#pairs}). */
    public List<FaultOverlaps.Pair> overlappingPairs() {
        return FaultOverlaps.pairs(faults, duration.toMillis());
    }

    /** Mean confirmed sends per second over the series; 0 for an empty series. */
    public double meanThroughput() {
        return confirmedPerSecond.stream().mapToLong(Long::longValue).average().orElse(0);
    }

    public long peakThroughput() {
        return confirmedPerSecond.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
