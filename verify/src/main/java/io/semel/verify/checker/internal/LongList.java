package io.semel.verify.checker.internal;

import java.util.Arrays;

/** A growable array of longs, 8 bytes per element (plus up to half again while growing). Not thread-safe. */
final class LongList {
    private long[] values = new long[16];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size + (size >> 1) + 16);
        }
        values[size++] = v;
    }

    long get(int index) {
        return values[index];
    }

    int size() {
        return size;
    }

    /** Sets {@code values[index]}, growing with {@code fill} up to it: for arrays indexed by an interned id. */
    void put(int index, long v, long fill) {
        while (size <= index) {
            add(fill);
        }
        values[index] = v;
    }

    long getOr(int index, long fill) {
        return index < size ? values[index] : fill;
    }
}
