package io.semel.simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What each send's caller was told, by record id (ids are unique values). One thread. */
final class SimHistory {
    enum Fate { PENDING, CONFIRMED, FAILED, UNKNOWN }

    static final class Entry {
        Fate fate = Fate.PENDING;
        int partition = -1;
        long offset = -1;
        long step;
        String detail;
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private List<String> settled = new ArrayList<>();

    Map<String, Entry> entries() {
        return entries;
    }

    /** Ids settled since the last call. */
    List<String> takeSettled() {
        List<String> out = settled;
        settled = new ArrayList<>();
        return out;
    }

    void sent(String id) {
        if (entries.put(id, new Entry()) != null) {
            throw new IllegalStateException("record id " + id + " sent twice by the workload");
        }
    }

    private Entry settle(String id, Fate fate, long step) {
        Entry e = entries.get(id);
        if (e.fate != Fate.PENDING) {
            throw new IllegalStateException("record " + id + " settled twice: " + e.fate + " then " + fate);
        }
        e.fate = fate;
        e.step = step;
        settled.add(id);
        return e;
    }

    void confirmed(String id, int partition, long offset, long step) {
        Entry e = settle(id, Fate.CONFIRMED, step);
        e.partition = partition;
        e.offset = offset;
    }

    void unknown(String id) {
        settle(id, Fate.UNKNOWN, 0);
    }

    void failed(String id, long step, String detail) {
        settle(id, Fate.FAILED, step).detail = detail;
    }
}
