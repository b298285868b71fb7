package io.semel.verify.checker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rules comparing the history with the drained log: the log is the broker's record of what happened, so every
 * offset a send ok or a delivery named must hold that id there, and a partition's offsets are dense from 0
 * (the broker assigns them one by one and never deletes in a verify run).
 *
 * <p>Lookups in both directions are chains through the drained records: a {@link KeyTable} from
 * (partition, offset) to the first record there and a per-id first record, each record pointing to the next
 * one at the same position and of the same id. Memory: 8 bytes per record for the chains and 28–75 per distinct
 * position for the table, plus 4 per id. Not thread-safe.
 */
final class LogRules {
    private static final int NONE = -1;

    private final HistoryIndex ix;
    private final DrainedLog log;
    private final KeyTable firstAt;
    private final int[] nextAtSamePosition;
    private final int[] firstOfId;
    private final int[] nextOfSameId;

    LogRules(HistoryIndex ix) {
        this.ix = ix;
        this.log = ix.drainLog == null ? new DrainedLog() : ix.drainLog;
        int n = log.size();
        firstAt = new KeyTable(n);
        nextAtSamePosition = new int[n];
        nextOfSameId = new int[n];
        firstOfId = new int[ix.idCount()];
        Arrays.fill(firstOfId, NONE);
        // Walk backwards so that each chain comes out in log order without a tail pointer per position.
        for (int k = n - 1; k >= 0; k--) {
            int next = firstAt.put(log.partition(k), log.offset(k), 0, k);
            nextAtSamePosition[k] = next;
            int id = log.id(k);
            nextOfSameId[k] = firstOfId[id];
            firstOfId[id] = k;
        }
    }

    /**
     * offset-mismatch: a send ok or a delivery placed an id at a (partition, offset) where the drained log does
     * not hold it. A different id there is also {@code inconsistent-offsets}; nothing there, or the id elsewhere,
     * is caught only here. Claims are visited in history order (send oks and deliveries merged by {@code i}).
     */
    Finding.Collector offsetMismatches() {
        Finding.Collector out = new Finding.Collector();
        Deliveries ds = ix.deliveries;
        int s = 0;
        int d = 0;
        while (s < ix.okId.size() || d < ds.size()) {
            boolean sendFirst = d >= ds.size() || (s < ix.okId.size() && ix.okEventI.get(s) < ds.eventI(d));
            if (sendFirst) {
                check(ix.okId.get(s), ix.okPartition.get(s), ix.okOffset.get(s), "send ok (event " + ix.okEventI.get(s), out);
                s++;
            } else {
                check(ds.id(d), ds.partition(d), ds.offset(d), "deliver ok (event " + ds.eventI(d), out);
                d++;
            }
        }
        return out;
    }

    private void check(int id, long partition, long offset, String what, Finding.Collector out) {
        for (int k = firstAt.get(partition, offset, 0); k != NONE; k = nextAtSamePosition[k]) {
            if (log.id(k) == id) {
                return;
            }
        }
        String name = ix.name(id);
        String at = partition + "/" + offset;
        out.add(name, what + ") put it at " + at + "; the drained log holds " + idsAt(partition, offset) + " there and has "
                + name + " at " + positionsOf(id), List.of(name));
    }

    /** log-hole: per partition, offsets missing between 0 and the highest drained offset, as ranges. */
    Finding.Collector holes() {
        SortedMap<Long, LongList> byPartition = new TreeMap<>();
        for (int k = 0; k < log.size(); k++) {
            byPartition.computeIfAbsent(log.partition(k), p -> new LongList()).add(log.offset(k));
        }
        Finding.Collector out = new Finding.Collector();
        byPartition.forEach((p, list) -> {
            long[] os = new long[list.size()];
            for (int k = 0; k < os.length; k++) {
                os[k] = list.get(k);
            }
            Arrays.sort(os);
            long expected = 0;
            for (long o : os) {
                if (o > expected) {
                    String range = p + "/" + expected + (o - 1 > expected ? "-" + (o - 1) : "");
                    out.add(range, "partition " + p + " has no record at offsets " + expected + ".." + (o - 1)
                            + " but holds " + p + "/" + o, neighbours(p, expected - 1, o));
                }
                expected = Math.max(expected, o + 1);
            }
        });
        return out;
    }

    private List<String> neighbours(long partition, long before, long after) {
        List<String> ids = new ArrayList<>(idsAt(partition, before));
        ids.addAll(idsAt(partition, after));
        return ids;
    }

    /** The ids the drained log holds at (partition, offset), in log order. */
    List<String> idsAt(long partition, long offset) {
        List<String> out = new ArrayList<>(1);
        for (int k = firstAt.get(partition, offset, 0); k != NONE; k = nextAtSamePosition[k]) {
            out.add(ix.name(log.id(k)));
        }
        return out;
    }

    /** Where the drained log holds {@code id}, in log order, printed "partition/offset". */
    List<String> positionsOf(int id) {
        List<String> out = new ArrayList<>(1);
        for (int k = id < firstOfId.length ? firstOfId[id] : NONE; k != NONE; k = nextOfSameId[k]) {
            out.add(log.partition(k) + "/" + log.offset(k));
        }
        return out;
    }

    /** The lowest-offset position of {@code id} in the log, as a record index, or -1 if it is not logged. */
    int lowestRecordOf(int id) {
        int lowest = NONE;
        for (int k = id < firstOfId.length ? firstOfId[id] : NONE; k != NONE; k = nextOfSameId[k]) {
            if (lowest == NONE || log.offset(k) < log.offset(lowest)) {
                lowest = k;
            }
        }
        return lowest;
    }

    long partition(int record) {
        return log.partition(record);
    }

    long offset(int record) {
        return log.offset(record);
    }
}
