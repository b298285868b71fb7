package io.semel.verify.history;

import java.util.List;

/** One fault the run's schedule will inject; matched against nemesis {@code start} events by (fault, targets). */
public record ScheduledFault(String fault, List<String> targets) {
    public ScheduledFault {
        if (fault == null || fault.isEmpty()) {
            throw new IllegalArgumentException("fault must be a non-empty string, got " + fault);
        }
        targets = List.copyOf(targets);
    }
}
