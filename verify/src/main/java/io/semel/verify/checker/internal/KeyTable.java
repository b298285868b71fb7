package io.semel.verify.checker.internal;

import java.util.Arrays;

/**
 * A hash map from a key of three longs to an int, for the rules' per-record maps: (partition, offset, 0) for a
 * log record, (partition, offset, deliveryCount), (partition, offset, consumer), (consumer, partition, epoch).
 * Replaces {@code HashMap<record, …>}, which costs about 100 bytes per entry, with open addressing over
 * primitive arrays: 28 bytes per slot, at most three quarters full, so 28–75 bytes per key. Not thread-safe.
 */
final class KeyTable {
    /** What {@link #get} returns for a key that is not there. */
    static final int ABSENT = -1;

    private long[] a;
    private long[] b;
    private long[] c;
    private int[] values;
    private int size;

    KeyTable(int expectedKeys) {
        int capacity = 16;
        while (capacity * 3L / 4 < expectedKeys) {
            capacity *= 2;
        }
        allocate(capacity);
    }

    int get(long ka, long kb, long kc) {
        int s = find(ka, kb, kc);
        return values[s];
    }

    /** Stores {@code v} (not {@link #ABSENT}) and returns the previous value, or {@link #ABSENT}. */
    int put(long ka, long kb, long kc, int v) {
        int s = find(ka, kb, kc);
        int old = values[s];
        store(s, ka, kb, kc, v);
        return old;
    }

    /** Stores {@code v} only if the key is absent; returns the value there before, or {@link #ABSENT}. */
    int putIfAbsent(long ka, long kb, long kc, int v) {
        int s = find(ka, kb, kc);
        int old = values[s];
        if (old == ABSENT) {
            store(s, ka, kb, kc, v);
        }
        return old;
    }

    int size() {
        return size;
    }

    private void store(int s, long ka, long kb, long kc, int v) {
        if (values[s] == ABSENT) {
            size++;
        }
        a[s] = ka;
        b[s] = kb;
        c[s] = kc;
        values[s] = v;
        if (size * 4L > values.length * 3L) {
            grow();
        }
    }

    private int find(long ka, long kb, long kc) {
        int mask = values.length - 1;
        for (int s = hash(ka, kb, kc) & mask; ; s = (s + 1) & mask) {
            if (values[s] == ABSENT || (a[s] == ka && b[s] == kb && c[s] == kc)) {
                return s;
            }
        }
    }

    private void grow() {
        long[] oa = a;
        long[] ob = b;
        long[] oc = c;
        int[] ov = values;
        allocate(ov.length * 2);
        size = 0;
        for (int s = 0; s < ov.length; s++) {
            if (ov[s] != ABSENT) {
                store(find(oa[s], ob[s], oc[s]), oa[s], ob[s], oc[s], ov[s]);
            }
        }
    }

    private void allocate(int capacity) {
        a = new long[capacity];
        b = new long[capacity];
        c = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, ABSENT);
    }

    private static int hash(long ka, long kb, long kc) {
        long h = ka * 0x9E3779B97F4A7C15L + kb;
        h = h * 0x9E3779B97F4A7C15L + kc;
        h *= 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
