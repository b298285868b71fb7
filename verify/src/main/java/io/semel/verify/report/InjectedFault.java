package io.semel.verify.report;

import java.util.List;

/**
 * A fault that took effect during a run, as the orchestrator observed it. Immutable.
 *
 * @param fault the nemesis wire name, e.g. {@code kill}, {@code drop-after-request}
 * @param startMs when it took effect, milliseconds from the start of the run
 * @param stopMs when it was healed, or {@link #NOT_HEALED}
 */
public record InjectedFault(String fault, List<String> targets, long startMs, long stopMs) {
    public static final long NOT_HEALED = -1;

    public InjectedFault {
        if (fault == null || fault.isEmpty()) {
            throw new IllegalArgumentException("fault must be non-empty");
        }
        targets = List.copyOf(targets);
        if (startMs < 0 || (stopMs != NOT_HEALED && stopMs < startMs)) {
            throw new IllegalArgumentException("bad fault interval " + startMs + ".." + stopMs + " ms for " + fault);
        }
    }
}
