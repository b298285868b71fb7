package io.semel.verify.checker.internal;

import java.util.Arrays;

/** A growable array of ints, 4 bytes per element (plus up to half again while growing). Not thread-safe. */
final class IntList {
    private int[] values = new int[16];
    private int size;

    void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size + (size >> 1) + 16);
        }
        values[size++] = v;
    }

    int get(int index) {
        return values[index];
    }

    void set(int index, int v) {
        values[index] = v;
    }

    int size() {
        return size;
    }

    /** Sets {@code values[index]}, growing with {@code fill} up to it: for arrays indexed by an interned id. */
    void put(int index, int v, int fill) {
        while (size <= index) {
            add(fill);
        }
        values[index] = v;
    }

    /** {@code values[index]}, or {@code fill} past the end. */
    int getOr(int index, int fill) {
        return index < size ? values[index] : fill;
    }

    /** Adds one to {@code values[index]} (0 past the end). */
    void increment(int index) {
        put(index, getOr(index, 0) + 1, 0);
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
