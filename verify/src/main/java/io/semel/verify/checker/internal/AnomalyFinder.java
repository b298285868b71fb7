package io.semel.verify.checker.internal;

import io.semel.verify.checker.Anomaly;
import io.semel.verify.checker.AnomalyExample;
import io.semel.verify.checker.AnomalyKind;
import io.semel.verify.history.Guarantee;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * Computes every anomaly kind the history allows (those needing a drain-log or read-state are skipped
 * without them): first every kind's subjects and the findings of its first examples, from the index alone;
 * then, only if some example needs them, the examples' events in one more pass over the history
 * ({@link Examples}). Not thread-safe.
 */
final class AnomalyFinder {
    /** One kind's result before its examples have their events. */
    private record Pending(AnomalyKind kind, SortedSet<String> subjects, List<Finding> examples) {
    }

    private final HistoryIndex ix;
    private final Examples examples;
    private final Guarantee guarantee;
    private final boolean countsKept;
    private LogRules logRules;

    /**
     * @param countsKept false for an engine without per-record delivery counts (Kafka): {@code redelivery-lie} and
     *     {@code count-not-increasing} are then not computed
     */
    AnomalyFinder(HistoryIndex ix, Guarantee guarantee, boolean countsKept) {
        this.countsKept = countsKept;
        this.ix = ix;
        this.examples = new Examples(ix);
        this.guarantee = guarantee;
    }

    SortedMap<AnomalyKind, Anomaly> findAll(EventSource source) throws IOException {
        List<Pending> pending = new ArrayList<>();
        for (AnomalyKind kind : AnomalyKind.values()) {
            boolean countRule = kind == AnomalyKind.REDELIVERY_LIE || kind == AnomalyKind.COUNT_NOT_INCREASING;
            if (kind.computableWith(ix.hasDrainLog(), ix.hasReadState()) && (countsKept || !countRule)) {
                pending.add(find(kind));
            }
        }
        logRules = null; // its tables are not needed for the examples
        pending.forEach(p -> p.examples().forEach(f -> examples.want(f.ids())));
        examples.collect(source);
        SortedMap<AnomalyKind, Anomaly> out = new TreeMap<>();
        for (Pending p : pending) {
            List<AnomalyExample> ex = new ArrayList<>();
            p.examples().forEach(f -> ex.add(examples.forIds(f.subject(), f.ids(), f.detail())));
            out.put(p.kind(), new Anomaly(p.kind(), p.kind().isFatalFor(guarantee), p.subjects(), ex));
        }
        return out;
    }

    private Pending find(AnomalyKind kind) {
        return switch (kind) {
            case LOST_DELIVERED -> perId(kind, id -> StateRules.lostDelivered(ix, id),
                    id -> outcome(id) + ", in the drained log and delivered " + ix.delivered(id)
                            + "×, applied 0 times in the final state");
            case COUNT_NOT_INCREASING -> fromFindings(kind, new DeliveryRules(ix).countsNotIncreasing());
            case APPLY_VANISHED -> fromFindings(kind, new StateRules(ix).vanishedApplies());
            case STATE_ROLLBACK -> fromFindings(kind, new StateRules(ix).rollbacks());
            case OFFSET_MISMATCH -> fromFindings(kind, logRules().offsetMismatches());
            case LOG_HOLE -> fromFindings(kind, logRules().holes());
            case POSITION_MISMATCH -> fromFindings(kind, new StateRules(ix).positionMismatches(logRules()));
            case LOST_WRITE -> fromFindings(kind, new DeliveryRules(ix).lostWrites());
            case POLL_SKIP -> fromFindings(kind, new DeliveryRules(ix).pollSkips());
            case POLL_REORDER -> fromFindings(kind, new DeliveryRules(ix).pollReorders());
            case SEND_REORDER -> fromFindings(kind, new SendRules(ix).reorders());
            case LOST -> perId(kind, id -> ix.confirmed(id) && ix.applied(id) == 0,
                    id -> "confirmed, applied 0 times in the final state");
            case LOST_LOG -> perId(kind, id -> ix.confirmed(id) && ix.logged(id) == 0,
                    id -> "confirmed, absent from the drained log");
            case DUP_LOG -> perId(kind, id -> ix.logged(id) > 1,
                    id -> outcome(id) + ", " + ix.logged(id) + " times in the drained log at " + logRules().positionsOf(id));
            case DUP_APPLIED -> perId(kind, id -> ix.applied(id) > 1 || ix.appliedByHistory(id) > 1,
                    id -> outcome(id) + ", " + ix.applied(id) + " times in final appliedIds, "
                            + ix.appliedByHistory(id) + " times in apply ok events");
            case UNEXPECTED -> perId(kind, id -> visible(id) && !ix.attempted(id), id -> "never sent; " + visibility(id));
            case FAILED_VISIBLE -> perId(kind, id -> ix.failed(id) && visible(id), id -> "send failed; " + visibility(id));
            case APPLIED_NOT_IN_LOG -> perId(kind, id -> ix.applied(id) > 0 && ix.logged(id) == 0,
                    id -> outcome(id) + ", applied " + ix.applied(id) + " times, absent from the drained log");
            case INCONSISTENT_OFFSETS -> inconsistentOffsets();
            case STATE_VS_APPLIED -> bySubject(kind, new AccountRules(ix).stateVsApplied());
            case STATE_VS_EXPECTED -> bySubject(kind, new AccountRules(ix).stateVsExpected());
            case REDELIVERY_LIE -> redeliveryLies();
        };
    }

    private LogRules logRules() {
        if (logRules == null) {
            logRules = new LogRules(ix);
        }
        return logRules;
    }

    private static Pending fromFindings(AnomalyKind kind, Finding.Collector findings) {
        return new Pending(kind, findings.subjects(), new ArrayList<>(findings.firstFindings().values()));
    }

    private static Pending bySubject(AnomalyKind kind, SortedMap<String, Finding> findings) {
        List<Finding> first = new ArrayList<>();
        for (String subject : Examples.firstSubjects(new TreeSet<>(findings.keySet()))) {
            first.add(findings.get(subject));
        }
        return new Pending(kind, new TreeSet<>(findings.keySet()), first);
    }

    /** Every id (by its int) matching {@code rule}, as sorted names, with findings for the first examples. */
    private Pending perId(AnomalyKind kind, IntPredicate rule, Function<Integer, String> detail) {
        SortedSet<String> names = new TreeSet<>();
        for (int id = 0; id < ix.idCount(); id++) {
            if (rule.test(id)) {
                names.add(ix.name(id));
            }
        }
        return perName(kind, names, name -> detail.apply(ix.ids.idOf(name)));
    }

    private static Pending perName(AnomalyKind kind, SortedSet<String> names, Function<String, String> detail) {
        List<Finding> first = new ArrayList<>();
        for (String name : Examples.firstSubjects(names)) {
            first.add(new Finding(name, detail.apply(name), List.of(name)));
        }
        return new Pending(kind, names, first);
    }

    /**
     * inconsistent-offsets over every claim (send oks, deliveries, drained records). Nearly every position has
     * one id, claimed by its send ok, deliveries and log record alike: keep the first id per position in a
     * {@link KeyTable} and build sets only for positions where another id shows up.
     */
    private Pending inconsistentOffsets() {
        KeyTable firstId = new KeyTable(ix.okId.size());
        SortedMap<String, SortedSet<String>> conflicts = new TreeMap<>();
        for (int s = 0; s < ix.okId.size(); s++) {
            claim(firstId, conflicts, ix.okPartition.get(s), ix.okOffset.get(s), ix.okId.get(s));
        }
        Deliveries ds = ix.deliveries;
        for (int d = 0; d < ds.size(); d++) {
            claim(firstId, conflicts, ds.partition(d), ds.offset(d), ds.id(d));
        }
        if (ix.drainLog != null) {
            for (int k = 0; k < ix.drainLog.size(); k++) {
                claim(firstId, conflicts, ix.drainLog.partition(k), ix.drainLog.offset(k), ix.drainLog.id(k));
            }
        }
        SortedMap<String, Finding> findings = new TreeMap<>();
        conflicts.forEach((at, ids) -> findings.put(at, new Finding(at, "partition/offset " + at + " holds ids " + ids,
                new ArrayList<>(ids))));
        return bySubject(AnomalyKind.INCONSISTENT_OFFSETS, findings);
    }

    private void claim(KeyTable firstId, SortedMap<String, SortedSet<String>> conflicts, long p, long o, int id) {
        int first = firstId.putIfAbsent(p, o, 0, id);
        if (first != KeyTable.ABSENT && first != id) {
            conflicts.computeIfAbsent(p + "/" + o, k -> new TreeSet<>(List.of(ix.name(first)))).add(ix.name(id));
        }
    }

    private Pending redeliveryLies() {
        Map<String, String> lies = new DeliveryRules(ix).redeliveryLies();
        return perName(AnomalyKind.REDELIVERY_LIE, new TreeSet<>(lies.keySet()), lies::get);
    }

    /** In L ∪ D ∪ P ∪ Pₕ, using only the final reads the history has. */
    private boolean visible(int id) {
        return ix.delivered(id) > 0 || ix.logged(id) > 0 || ix.applied(id) > 0 || ix.appliedByHistory(id) > 0;
    }

    private String visibility(int id) {
        return "in drained log " + ix.logged(id) + "×, delivered " + ix.delivered(id) + "×, applied "
                + ix.applied(id) + "× in the final state and in " + ix.appliedByHistory(id) + " apply ok event(s)";
    }

    private String outcome(int id) {
        if (ix.confirmed(id)) {
            return "send ok";
        }
        if (ix.failed(id)) {
            return "send failed";
        }
        if (ix.unknown(id)) {
            return "send unknown";
        }
        return "never sent";
    }
}
