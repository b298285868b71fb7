package io.semel.verify.checker.internal;

/**
 * The records of the last {@code drain-log ok} in drain order, as parallel primitive arrays: 20 bytes per record
 * (partition and offset as longs, the id as an interned int) instead of a {@code LogRecord} and its id string.
 * Not thread-safe.
 */
final class DrainedLog {
    private final LongList partition = new LongList();
    private final LongList offset = new LongList();
    private final IntList id = new IntList();

    void add(long p, long o, int idNo) {
        partition.add(p);
        offset.add(o);
        id.add(idNo);
    }

    int size() {
        return id.size();
    }

    long partition(int k) {
        return partition.get(k);
    }

    long offset(int k) {
        return offset.get(k);
    }

    int id(int k) {
        return id.get(k);
    }
}
