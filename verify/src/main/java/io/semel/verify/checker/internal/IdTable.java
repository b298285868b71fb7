package io.semel.verify.checker.internal;

import java.util.Arrays;

/**
 * Interns strings (message ids, account keys, consumers, producers) to dense ints 0, 1, 2, … in first-seen order,
 * so that the checker's per-id sets and counters are primitive arrays indexed by that int instead of maps keyed
 * by strings. Keeps one {@code String} per distinct name (the first instance seen; later equal instances from
 * other events are dropped), in an open-addressing table of ints.
 *
 * <p>Memory: the names themselves (about 56 bytes for a harness id such as {@code p1-g0-000123}) plus 4 bytes
 * (the name array) plus 4–8 bytes (the table, kept at most half full) per distinct name. Not thread-safe.
 */
final class IdTable {
    private static final int EMPTY = -1;

    private String[] names = new String[1024];
    private int[] slots = newSlots(2048);
    private int size;

    /** The int of {@code name}, adding it if it is new. */
    int intern(String name) {
        int mask = slots.length - 1;
        for (int s = spread(name.hashCode()) & mask; ; s = (s + 1) & mask) {
            int id = slots[s];
            if (id == EMPTY) {
                return add(name, s);
            }
            if (names[id].equals(name)) {
                return id;
            }
        }
    }

    /** The int of {@code name}, or -1 if it was never interned. */
    int idOf(String name) {
        int mask = slots.length - 1;
        for (int s = spread(name.hashCode()) & mask; ; s = (s + 1) & mask) {
            int id = slots[s];
            if (id == EMPTY) {
                return -1;
            }
            if (names[id].equals(name)) {
                return id;
            }
        }
    }

    String name(int id) {
        return names[id];
    }

    int size() {
        return size;
    }

    private int add(String name, int slot) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
        }
        names[size] = name;
        slots[slot] = size;
        size++;
        // Kept at most half full: linear probing stays short.
        if (size * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        return size - 1;
    }

    private void rehash(int capacity) {
        int[] bigger = newSlots(capacity);
        int mask = capacity - 1;
        for (int id = 0; id < size; id++) {
            int s = spread(names[id].hashCode()) & mask;
            while (bigger[s] != EMPTY) {
                s = (s + 1) & mask;
            }
            bigger[s] = id;
        }
        slots = bigger;
    }

    private static int[] newSlots(int capacity) {
        int[] s = new int[capacity];
        Arrays.fill(s, EMPTY);
        return s;
    }

    /** String hashes of ids that differ in the last digits differ in the low bits only: mix the high bits in. */
    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
