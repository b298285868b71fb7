package io.semel.simulation;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exactly-once invariants, checked against what the broker's recovered log holds: every
 * confirmed send is in the log exactly once, at its confirmed offset; no record is in the log
 * twice; a definitely failed send is never in it; an unknown (or still pending) send at most once;
 * nothing is in it that no one sent. Run after every broker recovery and at the end.
 *
 * <p>Incremental, so that checking after every crash stays cheap: a recovered log only holds forced
 * bytes, which no later crash can take away, so each check reads only what was added since the
 * previous one (and re-reads everything if a partition ever shrank below it, which is itself a
 * loss the checks then report).
 */
final class SimChecker {
    /** Where a record is: partition in the high bits, offset in the low 40. */
    private static long position(int partition, long offset) {
        return ((long) partition << 40) | offset;
    }

    private final int partitions;
    private final long[] checkedUpTo;
    private final Map<String, Long> seen = new HashMap<>();

    SimChecker(int partitions) {
        this.partitions = partitions;
        this.checkedUpTo = new long[partitions];
    }

    /** The violations found (empty when the log is consistent with the history so far). */
    List<String> check(SimBroker broker, SimHistory history) {
        List<String> violations = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (broker.nextOffset(p) < checkedUpTo[p]) {
                violations.add("LOST: partition " + p + " ends at " + broker.nextOffset(p) + " after recovery, but "
                        + "offsets up to " + checkedUpTo[p] + " had been durable");
                continue;
            }
            for (RecordBatch b : broker.readFrom(p, checkedUpTo[p])) {
                long offset = b.baseOffset();
                for (LogRecord r : b.records()) {
                    if (offset >= checkedUpTo[p]) {
                        record(new String(r.value(), StandardCharsets.UTF_8), p, offset, b, history, violations);
                    }
                    offset++;
                }
                checkedUpTo[p] = Math.max(checkedUpTo[p], b.nextOffset());
            }
        }
        // Settled since the last check: a confirmation must now be visible (it was forced before it was
        // answered); a definite failure must not be (and record() catches it if it shows up later).
        for (String id : history.takeSettled()) {
            SimHistory.Entry e = history.entries().get(id);
            Long at = seen.get(id);
            if (e.fate == SimHistory.Fate.FAILED && at != null) {
                violations.add("record " + id + " failed definitely (" + e.detail + ") but is in the log at "
                        + (at >> 40) + "@" + (at & ((1L << 40) - 1)));
            } else if (e.fate == SimHistory.Fate.CONFIRMED && at == null) {
                violations.add("LOST: record " + id + " was confirmed at " + e.partition + "@" + e.offset
                        + " but is not in the log");
            } else if (e.fate == SimHistory.Fate.CONFIRMED && e.offset >= 0 && at != position(e.partition, e.offset)) {
                violations.add("record " + id + " was confirmed at " + e.partition + "@" + e.offset
                        + " but is in the log at " + (at >> 40) + "@" + (at & ((1L << 40) - 1)));
            }
        }
        return violations;
    }

    private void record(String id, int p, long offset, RecordBatch b, SimHistory history, List<String> violations) {
        Long earlier = seen.putIfAbsent(id, position(p, offset));
        SimHistory.Entry e = history.entries().get(id);
        if (e != null && earlier == null && e.fate != SimHistory.Fate.FAILED) {
            return; // the common case, without building a description
        }
        String here = p + "@" + offset + " (producer " + b.producerId() + " epoch " + b.producerEpoch()
                + " sequence " + (b.baseSequence() + offset - b.baseOffset()) + ")";
        if (e == null) {
            violations.add("record " + id + " is in the log at " + here + " but was never sent");
        } else if (e.fate == SimHistory.Fate.FAILED) {
            violations.add("record " + id + " failed definitely (" + e.detail + ") but is in the log at " + here);
        } else if (earlier != null) {
            violations.add("DUPLICATE: record " + id + " (" + e.fate + ") is in the log again at " + here
                    + ", first at " + (earlier >> 40) + "@" + (earlier & ((1L << 40) - 1)));
        }
    }
}
