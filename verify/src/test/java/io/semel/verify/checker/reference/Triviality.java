package io.semel.verify.checker.reference;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.OpType;
import io.semel.verify.history.ScheduledFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The non-triviality conditions of a run (background §3.5): a clean run proves something only if it
 * exercised faults, ambiguity, volume and — for exactly-once — a consumer dying between commit and ack.
 */
final class Triviality {
    private Triviality() {
    }

    /** One line per condition that failed; empty if the run is non-trivial. */
    static List<String> reasons(HistoryIndex ix, Guarantee guarantee, int minConfirmed) {
        List<String> reasons = new ArrayList<>();
        Map<ScheduledFault, Integer> planned = new LinkedHashMap<>();
        for (ScheduledFault f : ix.history.header().faults()) {
            planned.merge(f, 1, Integer::sum);
        }
        Map<ScheduledFault, Integer> missing = new LinkedHashMap<>();
        missingFaults(ix).forEach(f -> missing.merge(f, 1, Integer::sum));
        // One line per (fault, targets), with how many of its planned instances: a fault that took effect 50 times
        // and was skipped once is not the same finding as one that never happened.
        missing.forEach((f, n) -> reasons.add("scheduled fault " + f.fault() + " " + f.targets() + ": " + n + " of "
                + planned.get(f) + " planned never took effect (no nemesis start ok with that fault and targets)"));
        if (ix.unknown.isEmpty()) {
            reasons.add("no send had an unknown outcome (|I| = 0): ambiguity was not exercised");
        }
        if (ix.reads.stream().noneMatch(r -> !r.value().isFinal())) {
            reasons.add("no read-state was taken while the workload ran (only " + ix.reads.size() + " read-state ok): "
                    + "apply-vanished and state-rollback were not exercised under faults");
        }
        if (ix.confirmed.size() < minConfirmed) {
            reasons.add("only " + ix.confirmed.size() + " sends confirmed, below the threshold " + minConfirmed);
        }
        if (guarantee == Guarantee.EXACTLY_ONCE && !consumerCrashedBetweenCommitAndAck(ix)) {
            reasons.add("no consumer crashed between commit and ack (no " + EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK
                    + " and no kill of a consumer holding committed, unacked ids)");
        }
        return reasons;
    }

    /** Scheduled faults, as a multiset over (fault, targets), minus the nemesis start events that took effect. */
    private static List<ScheduledFault> missingFaults(HistoryIndex ix) {
        Map<ScheduledFault, Integer> happened = new HashMap<>();
        for (HistoryEvent e : ix.nemesisEvents) {
            EventValue.Nemesis n = (EventValue.Nemesis) e.value();
            if (e.type() == OpType.OK && n.phase() == NemesisPhase.START) {
                happened.merge(new ScheduledFault(n.fault(), n.targets()), 1, Integer::sum);
            }
        }
        List<ScheduledFault> missing = new ArrayList<>();
        for (ScheduledFault f : ix.history.header().faults()) {
            Integer n = happened.get(f);
            if (n == null || n == 0) {
                missing.add(f);
            } else {
                happened.put(f, n - 1);
            }
        }
        return missing;
    }

    /**
     * True if a consumer died after committing and before acking. Counted: a nemesis start ok of
     * {@code crash-after-commit-before-ack} (the crash point fires only after the commit, and the dying
     * consumer may not live to record its apply), or a {@code kill} of a consumer that, at that moment,
     * holds ids from an {@code apply ok} for which it has not even invoked an ack. An invoked ack may
     * have reached the broker, so it does not count (conservative).
     */
    static boolean consumerCrashedBetweenCommitAndAck(HistoryIndex ix) {
        Map<String, Set<String>> committedUnacked = new HashMap<>();
        for (HistoryEvent e : ix.history.events()) {
            if (e.value() instanceof EventValue.Apply a && e.type() == OpType.OK) {
                committedUnacked.computeIfAbsent(a.consumer(), k -> new HashSet<>()).addAll(a.ids());
            } else if (e.value() instanceof EventValue.Ack a && e.type() == OpType.INVOKE) {
                committedUnacked.getOrDefault(a.consumer(), new HashSet<>()).removeAll(a.ids());
            } else if (e.value() instanceof EventValue.Nemesis n && e.type() == OpType.OK
                    && n.phase() == NemesisPhase.START) {
                if (n.fault().equals(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK)) {
                    return true;
                }
                if (n.fault().equals(EventValue.Nemesis.KILL)) {
                    for (String target : n.targets()) {
                        Set<String> pending = committedUnacked.remove(target);
                        if (pending != null && !pending.isEmpty()) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }
}
