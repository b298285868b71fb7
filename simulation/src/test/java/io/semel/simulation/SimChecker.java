package io.semel.simulation;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exactly-once invariants, checked against what the broker's recovered log holds:
 * every confirmed send is in the log exactly once, at its confirmed offset; no record is in the log
 * twice; a definitely failed send is never in it; an unknown (or still pending) send at most once;
 * nothing is in it that no one sent. Run after every broker recovery and at the end.
 */
final class SimChecker {
    private SimChecker() {
    }

    /** The violations found (empty when the log is consistent with the history). */
    static List<String> check(SimBroker broker, SimHistory history, int partitions) {
        Map<String, List<String>> where = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            for (RecordBatch b : broker.readAll(p)) {
                long offset = b.baseOffset();
                for (LogRecord r : b.records()) {
                    String id = new String(r.value(), StandardCharsets.UTF_8);
                    count.merge(id, 1, Integer::sum);
                    where.computeIfAbsent(id, k -> new ArrayList<>()).add(p + "@" + offset
                            + " (producer " + b.producerId() + " epoch " + b.producerEpoch() + " sequence "
                            + (b.baseSequence() + offset - b.baseOffset()) + ")");
                    offset++;
                }
            }
        }
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, Integer> c : count.entrySet()) {
            SimHistory.Entry e = history.entries().get(c.getKey());
            if (e == null) {
                violations.add("record " + c.getKey() + " is in the log but was never sent: " + where.get(c.getKey()));
            } else if (c.getValue() > 1) {
                violations.add("DUPLICATE: record " + c.getKey() + " (" + e.fate + ") is in the log " + c.getValue()
                        + " times: " + where.get(c.getKey()));
            } else if (e.fate == SimHistory.Fate.FAILED) {
                violations.add("record " + c.getKey() + " failed definitely (" + e.detail + ") but is in the log at "
                        + where.get(c.getKey()));
            }
        }
        for (Map.Entry<String, SimHistory.Entry> h : history.entries().entrySet()) {
            SimHistory.Entry e = h.getValue();
            if (e.fate != SimHistory.Fate.CONFIRMED) {
                continue;
            }
            List<String> at = where.get(h.getKey());
            if (at == null) {
                violations.add("LOST: record " + h.getKey() + " was confirmed at " + e.partition + "@" + e.offset
                        + " but is not in the log");
            } else if (e.offset >= 0 && !at.get(0).startsWith(e.partition + "@" + e.offset + " ")) {
                violations.add("record " + h.getKey() + " was confirmed at " + e.partition + "@" + e.offset
                        + " but is in the log at " + at);
            }
        }
        return violations;
    }
}
