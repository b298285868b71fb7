package io.semel.verify.checker.internal;

import io.semel.verify.checker.CheckResult;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One instance of an anomaly found by a rule, before it becomes an {@link io.semel.verify.checker.Anomaly}:
 * its subject, the numbers, and the ids whose events make the example.
 */
record Finding(String subject, String detail, List<String> ids) {
    Finding {
        ids = List.copyOf(ids);
    }

    /**
     * Collects findings by subject, keeping the first one for each (rules visit the history in order). Every
     * subject is kept; a finding (detail and ids) only for the {@link CheckResult#EXAMPLES_MAX} lowest subjects,
     * the only ones that become examples, so a broken soak with a million findings keeps a million subject
     * strings, not a million details.
     */
    static final class Collector {
        private final SortedSet<String> subjects = new TreeSet<>();
        private final SortedMap<String, Finding> firstFindings = new TreeMap<>();

        void add(String subject, String detail, List<String> ids) {
            if (!subjects.add(subject)) {
                return; // seen before: its first finding is kept, or it is not among the lowest subjects
            }
            firstFindings.put(subject, new Finding(subject, detail, ids));
            if (firstFindings.size() > CheckResult.EXAMPLES_MAX) {
                // Subjects only join below the highest kept one from now on, so the evicted one never returns.
                firstFindings.remove(firstFindings.lastKey());
            }
        }

        SortedSet<String> subjects() {
            return Collections.unmodifiableSortedSet(subjects);
        }

        /** The findings of the lowest {@link CheckResult#EXAMPLES_MAX} subjects, by subject. */
        SortedMap<String, Finding> firstFindings() {
            return Collections.unmodifiableSortedMap(firstFindings);
        }
    }
}
