package io.semel.verify.checker.internal;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

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
    Finding.Collector vanishedApplies() {
        Finding.Collector out = new Finding.Collector();
        for (StoreRead read : ix.reads) {
            for (int a = 0; a < ix.applyOkI.size(); a++) {
                long applyI = ix.applyOkI.get(a);
                if (applyI >= read.invokeI) {
                    break;
                }
                for (int k = ix.applyStart.get(a); k < ix.applyEnd(a); k++) {
                    int id = ix.applyIds.get(k);
                    if (!read.contains(id)) {
                        String name = ix.name(id);
                        out.add(name, "committed by apply ok at event " + applyI + ", absent from the "
                                + read.kind() + " read-state at event " + read.eventI, List.of(name));
                    }
                }
            }
        }
        return out;
    }

    /**
     * state-rollback: an id a read held more often than a read that began after it completed. Applied ids are
     * never deleted, so a store that loses one has rolled back committed transactions. Each read is compared
     * with the latest read completed before it began: inclusion is transitive, so a rollback between any two
     * reads shows between two such neighbours, and the check stays linear in the number of reads.
     */
    Finding.Collector rollbacks() {
        Finding.Collector out = new Finding.Collector();
        for (StoreRead later : ix.reads) {
            StoreRead earlier = null;
            for (StoreRead r : ix.reads) {
                if (r.eventI < later.invokeI) {
                    earlier = r;
                }
            }
            if (earlier == null) {
                continue;
            }
            StoreRead before = earlier;
            earlier.forEachDistinct(id -> {
                int was = before.count(id);
                int now = later.count(id);
                if (now < was) {
                    String name = ix.name(id);
                    out.add(name, "applied " + was + "× in the read-state at event " + before.eventI + ", "
                            + now + "× in the " + later.kind() + " one at event " + later.eventI, List.of(name));
                }
            });
        }
        return out;
    }

    /**
     * position-mismatch, for every read that holds positions: the position (next offset) of a partition is the
     * offset after the highest record of a committed batch, so (ahead) the record just below it is applied in
     * that read, and (behind) every applied id logged in the partition sits below it. Partitions without a row
     * count as position 0. Needs the drained log to map offsets to ids.
     */
    Finding.Collector positionMismatches(LogRules log) {
        Finding.Collector out = new Finding.Collector();
        for (StoreRead read : ix.reads) {
            Map<Integer, Long> positions = read.positions;
            if (positions.isEmpty()) {
                continue;
            }
            positions.forEach((p, next) -> {
                if (next == 0) {
                    return;
                }
                List<String> ids = log.idsAt(p, next - 1);
                boolean applied = ids.stream().anyMatch(name -> read.contains(ix.ids.idOf(name)));
                if (!applied) {
                    out.add(p + "/" + (next - 1), "read-state at event " + read.eventI + ": position of partition "
                            + p + " is " + next + " but " + p + "/" + (next - 1) + " (log: " + ids
                            + ") is not applied in it", ids);
                }
            });
            behind(read, log).forEach((subject, f) -> out.add(subject, f.detail(), f.ids()));
        }
        return out;
    }

    /**
     * The behind half for one read, by subject. Where two applied ids share their lowest log position, the
     * finding names the id lowest in string order: the order the rule has always reported them in.
     */
    private SortedMap<String, Finding> behind(StoreRead read, LogRules log) {
        SortedMap<String, Finding> out = new TreeMap<>();
        read.forEachDistinct(id -> {
            int lowest = log.lowestRecordOf(id);
            if (lowest < 0) {
                return; // not in the log: applied-not-in-log
            }
            long partition = log.partition(lowest);
            long offset = log.offset(lowest);
            long next = read.positions.getOrDefault((int) partition, 0L);
            if (offset < next) {
                return;
            }
            String subject = partition + "/" + offset;
            String name = ix.name(id);
            Finding had = out.get(subject);
            if (had == null || name.compareTo(had.ids().get(0)) < 0) {
                out.put(subject, new Finding(subject, "read-state at event " + read.eventI + ": " + name
                        + " is applied but logged at " + subject + ", at or above the position " + next
                        + " of partition " + partition, List.of(name)));
            }
        });
        return out;
    }

    /**
     * lost-delivered: logged, delivered, never applied in the final read. The consumer had the message; under
     * at-least-once and exactly-once it must apply it whatever the send's outcome was. At-most-once's accepted
     * cost is exactly this (ack before apply), so there it is only reported.
     */
    static boolean lostDelivered(HistoryIndex ix, int id) {
        return ix.logged(id) > 0 && ix.delivered(id) > 0 && ix.applied(id) == 0;
    }
}
