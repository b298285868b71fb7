package io.semel.verify.schedule;

import io.semel.verify.history.ScheduledFault;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A fault timeline as data: {@link CoveringPlanner} plans it, the orchestrator executes it, and
 * {@link #scheduledFaults()} goes into the history header. Every fault is healed by {@link #healAtMs()}, where
 * the orchestrator heals everything regardless. Immutable.
 *
 * @param mixes per report window, the kinds that start in it; empty = quiet
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
}
