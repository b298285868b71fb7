package io.semel.verify.checker.reference;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Rules over the reads of the processor's store — the final one and those taken while the workload runs. A
 * read is one store transaction, so it reflects every transaction committed before it began: a committed
 * apply never disappears, a later read holds everything an earlier one held, and the stored position moves in
 * the same transaction as the applies. Not thread-safe.
 */
final class StateRules {
    private final HistoryIndex ix;

    StateRules(HistoryIndex ix) {
        this.ix = ix;
    }

    /** apply-vanished: an id of an {@code apply ok} missing from a read that began after that ok. */
    SortedMap<String, Finding> vanishedApplies() {
        Finding.Collector out = new Finding.Collector();
        for (HistoryIndex.ReadAt read : ix.reads) {
            for (HistoryEvent apply : ix.applyOks) {
                if (apply.i() >= read.invokeI()) {
                    break;
                }
                for (String id : ((EventValue.Apply) apply.value()).ids()) {
                    if (!read.applied().contains(id)) {
                        out.add(id, "committed by apply ok at event " + apply.i() + ", absent from the "
                                + kind(read) + " read-state at event " + read.event().i(), List.of(id));
                    }
                }
            }
        }
        return out.findings();
    }

    /**
     * state-rollback: an id a read held more often than a read that began after it completed. Applied ids are
     * never deleted, so a store that loses one has rolled back committed transactions. Each read is compared
     * with the latest read completed before it began: inclusion is transitive, so a rollback between any two
     * reads shows between two such neighbours, and the check stays linear in the number of reads.
     */
    SortedMap<String, Finding> rollbacks() {
        Finding.Collector out = new Finding.Collector();
        for (HistoryIndex.ReadAt later : ix.reads) {
            HistoryIndex.ReadAt earlier = null;
            for (HistoryIndex.ReadAt r : ix.reads) {
                if (r.event().i() < later.invokeI()) {
                    earlier = r;
                }
            }
            if (earlier == null) {
                continue;
            }
            for (String id : earlier.applied().elements()) {
                int before = earlier.applied().count(id);
                int after = later.applied().count(id);
                if (after < before) {
                    out.add(id, "applied " + before + "× in the read-state at event " + earlier.event().i() + ", "
                            + after + "× in the " + kind(later) + " one at event " + later.event().i(), List.of(id));
                }
            }
        }
        return out.findings();
    }

    /**
     * position-mismatch, for every read that holds positions: the position (next offset) of a partition is the
     * offset after the highest record of a committed batch, so (ahead) the record just below it is applied in
     * that read, and (behind) every applied id logged in the partition sits below it. Partitions without a row
     * count as position 0. Needs the drained log to map offsets to ids.
     */
    SortedMap<String, Finding> positionMismatches(LogRules log) {
        Finding.Collector out = new Finding.Collector();
        for (HistoryIndex.ReadAt read : ix.reads) {
            Map<Integer, Long> positions = read.value().positions();
            if (positions.isEmpty()) {
                continue;
            }
            positions.forEach((p, next) -> {
                if (next == 0) {
                    return;
                }
                List<String> ids = log.idsAt(p, next - 1);
                boolean applied = ids.stream().anyMatch(read.applied()::contains);
                if (!applied) {
                    out.add(p + "/" + (next - 1), "read-state at event " + read.event().i() + ": position of partition "
                            + p + " is " + next + " but " + p + "/" + (next - 1) + " (log: " + ids
                            + ") is not applied in it", ids);
                }
            });
            for (String id : read.applied().elements()) {
                behind(read, id, log, out);
            }
        }
        return out.findings();
    }

    private static void behind(HistoryIndex.ReadAt read, String id, LogRules log, Finding.Collector out) {
        Map<Integer, Long> positions = read.value().positions();
        HistoryIndex.Position lowest = null;
        for (HistoryIndex.Position at : log.positionsOf(id)) {
            if (lowest == null || at.offset() < lowest.offset()) {
                lowest = at;
            }
        }
        if (lowest == null) {
            return; // not in the log: applied-not-in-log
        }
        int partition = (int) lowest.partition();
        long next = positions.getOrDefault(partition, 0L);
        if (lowest.offset() >= next) {
            out.add(lowest.toString(), "read-state at event " + read.event().i() + ": " + id + " is applied but logged at "
                    + lowest + ", at or above the position " + next + " of partition " + partition, List.of(id));
        }
    }

    /**
     * lost-delivered: logged, delivered, never applied in the final read. The consumer had the message; under
     * at-least-once and exactly-once it must apply it whatever the send's outcome was. At-most-once's accepted
     * cost is exactly this (ack before apply), so there it is only reported.
     */
    SortedSet<String> lostDelivered() {
        SortedSet<String> out = new TreeSet<>(ix.logged.elements());
        out.retainAll(ix.delivered.elements());
        out.removeAll(ix.applied.elements());
        return out;
    }

    private static String kind(HistoryIndex.ReadAt read) {
        return read.value().isFinal() ? "final" : "mid-run";
    }
}
