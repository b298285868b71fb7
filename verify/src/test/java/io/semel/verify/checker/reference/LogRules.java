package io.semel.verify.checker.reference;

import io.semel.verify.history.LogRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rules comparing the history with the drained log: the log is the broker's record of what happened, so every
 * offset a send ok or a delivery named must hold that id there, and a partition's offsets are dense from 0
 * (the broker assigns them one by one and never deletes in a verify run). Not thread-safe.
 */
final class LogRules {
    private final HistoryIndex ix;
    /** Position → ids the drained log holds there (one, unless the log is inconsistent). */
    private final Map<HistoryIndex.Position, List<String>> idsAt = new HashMap<>();
    /** id → positions where the drained log holds it, in log order. */
    private final Map<String, List<HistoryIndex.Position>> positionsOf = new HashMap<>();

    LogRules(HistoryIndex ix) {
        this.ix = ix;
        for (LogRecord r : ix.logRecords()) {
            HistoryIndex.Position at = new HistoryIndex.Position(r.partition(), r.offset());
            idsAt.computeIfAbsent(at, k -> new ArrayList<>()).add(r.id());
            positionsOf.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(at);
        }
    }

    /**
     * offset-mismatch: a send ok or a delivery placed an id at a (partition, offset) where the drained log does
     * not hold it. A different id there is also {@code inconsistent-offsets}; nothing there, or the id elsewhere,
     * is caught only here.
     */
    SortedMap<String, Finding> offsetMismatches() {
        Finding.Collector out = new Finding.Collector();
        for (HistoryIndex.OffsetClaim c : ix.offsetClaims) {
            if (c.event() == ix.drainLog) {
                continue;
            }
            HistoryIndex.Position at = new HistoryIndex.Position(c.partition(), c.offset());
            if (idsAt.getOrDefault(at, List.of()).contains(c.id())) {
                continue;
            }
            String what = c.event().f().wireName() + " " + c.event().type().wireName() + " (event " + c.event().i() + ")";
            out.add(c.id(), what + " put it at " + at + "; the drained log holds " + idsAt.getOrDefault(at, List.of())
                    + " there and has " + c.id() + " at " + positionsOf.getOrDefault(c.id(), List.of()),
                    List.of(c.id()));
        }
        return out.findings();
    }

    /** log-hole: per partition, offsets missing between 0 and the highest drained offset, as ranges. */
    SortedMap<String, Finding> holes() {
        Map<Long, TreeSet<Long>> offsets = new TreeMap<>();
        for (LogRecord r : ix.logRecords()) {
            offsets.computeIfAbsent(r.partition(), k -> new TreeSet<>()).add(r.offset());
        }
        Finding.Collector out = new Finding.Collector();
        offsets.forEach((p, os) -> {
            long expected = 0;
            for (long o : os) {
                if (o > expected) {
                    String range = p + "/" + expected + (o - 1 > expected ? "-" + (o - 1) : "");
                    out.add(range, "partition " + p + " has no record at offsets " + expected + ".." + (o - 1)
                            + " but holds " + p + "/" + o, neighbours(p, expected - 1, o));
                }
                expected = o + 1;
            }
        });
        return out.findings();
    }

    private List<String> neighbours(long partition, long before, long after) {
        List<String> ids = new ArrayList<>(idsAt(partition, before));
        ids.addAll(idsAt(partition, after));
        return ids;
    }

    /** The ids the drained log holds at (partition, offset). */
    List<String> idsAt(long partition, long offset) {
        return idsAt.getOrDefault(new HistoryIndex.Position(partition, offset), List.of());
    }

    /** Where the drained log holds {@code id}, in log order. */
    List<HistoryIndex.Position> positionsOf(String id) {
        return positionsOf.getOrDefault(id, List.of());
    }
}
