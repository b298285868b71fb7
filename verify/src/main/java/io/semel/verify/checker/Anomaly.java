package io.semel.verify.checker;

import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The result of looking for one anomaly kind. Immutable.
 *
 * @param fatal whether it is fatal for the run's guarantee
 * @param subjects every id, account or "partition/offset" found, sorted
 * @param examples at most {@link CheckResult#EXAMPLES_MAX} of them with their related events
 */
public record Anomaly(AnomalyKind kind, boolean fatal, SortedSet<String> subjects, List<AnomalyExample> examples) {
    public Anomaly {
        subjects = Collections.unmodifiableSortedSet(new TreeSet<>(subjects));
        examples = List.copyOf(examples);
    }

    public boolean found() {
        return !subjects.isEmpty();
    }

    public int count() {
        return subjects.size();
    }
}
