package io.semel.protocol;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of per-offset elements held as ranges: each range is a partition, a tag (a
 * lease epoch, an error) and consecutive offsets {@code first..last}, and the list holds its
 * offsets in range order. {@link #get} builds an element on demand, so a batch of 500 offsets acked
 * in order costs one range here, not 500 objects; code that can works on the ranges themselves
 * ({@link #rangeCount}, {@link #partition}, {@link #firstOffset}, {@link #lastOffset}).
 *
 * <p>As a {@link java.util.List} it is equal to any list of the same elements in the same order,
 * however they are cut into ranges. Adjoining offsets with one partition and tag always form one
 * range (the builder merges them), so two lists of equal elements have equal ranges too.
 *
 * <p>Thread-safe once built (immutable).
 */
abstract class OffsetRanges<E> extends AbstractList<E> implements RandomAccess {
    private final int[] partitions;
    private final long[] tags;
    private final long[] firsts;
    /** Cumulative element counts: range {@code r} holds list indexes {@code [ends[r-1], ends[r])}. */
    private final int[] ends;
    private final int rangeCount;

    OffsetRanges(Builder<?> b) {
        rangeCount = b.rangeCount;
        partitions = Arrays.copyOf(b.partitions, rangeCount);
        tags = Arrays.copyOf(b.tags, rangeCount);
        firsts = Arrays.copyOf(b.firsts, rangeCount);
        ends = Arrays.copyOf(b.ends, rangeCount);
    }

    /** The element at {@code offset} of range {@code r}. */
    abstract E element(int partition, long tag, long offset);

    public final int rangeCount() {
        return rangeCount;
    }

    public final int partition(int range) {
        return partitions[checked(range)];
    }

    final long tag(int range) {
        return tags[checked(range)];
    }

    public final long firstOffset(int range) {
        return firsts[checked(range)];
    }

    public final long lastOffset(int range) {
        return firstOffset(range) + count(range) - 1; // firstOffset checks the index
    }

    /** Offsets in range {@code r}. */
    public final int count(int range) {
        checked(range);
        return ends[range] - (range == 0 ? 0 : ends[range - 1]);
    }

    @Override
    public final int size() {
        return rangeCount == 0 ? 0 : ends[rangeCount - 1];
    }

    @Override
    public final E get(int index) {
        int r = rangeOf(index);
        int start = r == 0 ? 0 : ends[r - 1];
        return element(partitions[r], tags[r], firsts[r] + (index - start));
    }

    /** The range holding list index {@code index}. */
    public final int rangeOf(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size());
        }
        int r = Arrays.binarySearch(ends, 0, rangeCount, index);
        return r >= 0 ? r + 1 : -r - 1; // the first range whose end is above index
    }

    /** A range's part within a window of list indexes, as {@link #forEachRangeIn} visits it. */
    @FunctionalInterface
    public interface RangePart {
        /** Range {@code range} holds list indexes {@code [from, to)} of the window; the first at {@code firstOffset}. */
        void visit(int range, int from, int to, long firstOffset);
    }

    /** Visits in order each range's part that lies within list indexes {@code [from, to)}: ranges, not elements. */
    public final void forEachRangeIn(int from, int to, RangePart visitor) {
        Objects.checkFromToIndex(from, to, size());
        int start = 0;
        for (int r = 0; r < rangeCount && start < to; r++) {
            int lo = Math.max(start, from);
            int hi = Math.min(ends[r], to);
            if (lo < hi) {
                visitor.visit(r, lo, hi, firsts[r] + (lo - start));
            }
            start = ends[r];
        }
    }

    private int checked(int range) {
        if (range < 0 || range >= rangeCount) {
            throw new IndexOutOfBoundsException("range " + range + " of " + rangeCount);
        }
        return range;
    }

    /** Collects offsets in order, merging each with the range before it where it adjoins. Not thread-safe. */
    abstract static class Builder<L> {
        private int[] partitions = new int[4];
        private long[] tags = new long[4];
        private long[] firsts = new long[4];
        private int[] ends = new int[4];
        private int rangeCount;
        private int size;

        /** Appends offsets {@code first..last} (inclusive; the caller checked {@code last >= first} and the size). */
        final void append(int partition, long tag, long first, long last) {
            long count = last - first + 1;
            if (count < 1 || count > Integer.MAX_VALUE - size) {
                throw new IllegalArgumentException("range " + first + ".." + last + " after " + size
                        + " offsets: empty, or more than a list holds");
            }
            int r = rangeCount - 1;
            // first - firsts[r], not firsts[r] + count: a range ending at Long.MAX_VALUE would
            // "adjoin" Long.MIN_VALUE through the overflow and end before it starts.
            if (r >= 0 && partitions[r] == partition && tags[r] == tag && first > firsts[r]
                    && first - firsts[r] == ends[r] - (r == 0 ? 0 : ends[r - 1])) {
                size += (int) count;
                ends[r] = size;
                return;
            }
            if (rangeCount == partitions.length) {
                int n = rangeCount * 2;
                partitions = Arrays.copyOf(partitions, n);
                tags = Arrays.copyOf(tags, n);
                firsts = Arrays.copyOf(firsts, n);
                ends = Arrays.copyOf(ends, n);
            }
            size += (int) count;
            partitions[rangeCount] = partition;
            tags[rangeCount] = tag;
            firsts[rangeCount] = first;
            ends[rangeCount] = size;
            rangeCount++;
        }

        /** Offsets added so far. */
        public final int size() {
            return size;
        }

        public abstract L build();
    }
}
