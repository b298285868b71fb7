package io.semel.verify.schedule;

import io.semel.verify.history.ScheduledFault;
import java.util.List;
import java.util.Objects;

/**
 * One planned fault: inject {@code kind} into {@code target} at {@code startMs} and heal it (restart, resume,
 * heal the proxy) at {@code stopMs}, both in milliseconds from the start of the run. Immutable.
 *
 * @param window index of the schedule window it belongs to
 */
public record TimedFault(FaultKind kind, String target, long startMs, long stopMs, int window) {
    public TimedFault {
        Objects.requireNonNull(kind, "kind");
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("target must be non-empty");
        }
        if (startMs < 0 || stopMs <= startMs) {
            throw new IllegalArgumentException("need 0 <= startMs < stopMs, got " + startMs + ".." + stopMs);
        }
    }

    /** The header entry the checker matches against the nemesis start of this fault. */
    public ScheduledFault toScheduledFault() {
        return new ScheduledFault(kind.wireName(), List.of(target));
    }
}
