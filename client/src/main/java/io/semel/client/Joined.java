package io.semel.client;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * Several lists read as one, in order, without copying them: the messages of the acks that ride on
 * one poll (eight batches of 500 when fetching 4,000 at a time). Unmodifiable; as immutable as its
 * parts, which the consumer never changes once made.
 */
final class Joined<E> extends AbstractList<E> implements RandomAccess {
    private final List<List<? extends E>> parts;
    /** Cumulative sizes: part {@code p} holds indexes {@code [ends[p-1], ends[p])}. Empty parts are left out. */
    private final int[] ends;

    Joined(List<? extends List<? extends E>> parts) {
        List<List<? extends E>> kept = new ArrayList<>(parts.size());
        for (List<? extends E> p : parts) {
            if (!p.isEmpty()) {
                kept.add(p);
            }
        }
        this.parts = kept;
        this.ends = new int[this.parts.size()];
        int size = 0;
        for (int p = 0; p < ends.length; p++) {
            size = Math.addExact(size, this.parts.get(p).size());
            ends[p] = size;
        }
    }

    @Override
    public E get(int index) {
        Objects.checkIndex(index, size());
        int p = Arrays.binarySearch(ends, index);
        p = p >= 0 ? p + 1 : -p - 1; // the first part whose end is above index
        return parts.get(p).get(index - (p == 0 ? 0 : ends[p - 1]));
    }

    /** The non-empty parts, in order. */
    List<List<? extends E>> parts() {
        return Collections.unmodifiableList(parts);
    }

    @Override
    public int size() {
        return ends.length == 0 ? 0 : ends[ends.length - 1];
    }
}
