package io.semel.verify.checker.reference;

import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** A sorted multiset of ids; sorted so that every figure and example the checker prints is deterministic. */
final class Multiset {
    private final SortedMap<String, Integer> counts = new TreeMap<>();
    private long size;

    void add(String id) {
        counts.merge(id, 1, Integer::sum);
        size++;
    }

    int count(String id) {
        return counts.getOrDefault(id, 0);
    }

    boolean contains(String id) {
        return counts.containsKey(id);
    }

    long size() {
        return size;
    }

    SortedSet<String> elements() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(counts.keySet()));
    }

    /** Ids present more than once. */
    SortedSet<String> repeated() {
        SortedSet<String> out = new TreeSet<>();
        counts.forEach((id, n) -> {
            if (n > 1) {
                out.add(id);
            }
        });
        return out;
    }
}
