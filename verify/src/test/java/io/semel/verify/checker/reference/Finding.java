package io.semel.verify.checker.reference;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One instance of an anomaly found by a rule, before it becomes an {@link io.semel.verify.checker.Anomaly}:
 * its subject, the numbers, and the ids whose events make the example.
 */
record Finding(String subject, String detail, List<String> ids) {
    Finding {
        ids = List.copyOf(ids);
    }

    /** Collects findings by subject, keeping the first one for each (rules visit the history in order). */
    static final class Collector {
        private final SortedMap<String, Finding> bySubject = new TreeMap<>();

        void add(String subject, String detail, List<String> ids) {
            bySubject.putIfAbsent(subject, new Finding(subject, detail, ids));
        }

        SortedMap<String, Finding> findings() {
            return bySubject;
        }
    }
}
