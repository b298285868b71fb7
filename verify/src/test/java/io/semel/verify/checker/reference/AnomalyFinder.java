package io.semel.verify.checker.reference;

import io.semel.verify.checker.Anomaly;
import io.semel.verify.checker.AnomalyExample;
import io.semel.verify.checker.AnomalyKind;
import io.semel.verify.history.AccountState;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Computes every anomaly kind the history allows (those needing a drain-log or read-state are skipped
 * without them). Pure: reads the index, returns values. Not thread-safe.
 */
final class AnomalyFinder {
    private final HistoryIndex ix;
    private final Examples examples;
    private final Guarantee guarantee;
    private LogRules logRules;

    private final boolean countsKept;

    AnomalyFinder(HistoryIndex ix, Guarantee guarantee) {
        this(ix, guarantee, true);
    }

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

    SortedMap<AnomalyKind, Anomaly> findAll() {
        SortedMap<AnomalyKind, Anomaly> out = new TreeMap<>();
        for (AnomalyKind kind : AnomalyKind.values()) {
            boolean countRule = kind == AnomalyKind.REDELIVERY_LIE || kind == AnomalyKind.COUNT_NOT_INCREASING;
            if (kind.computableWith(ix.hasDrainLog(), ix.hasReadState()) && (countsKept || !countRule)) {
                out.put(kind, find(kind));
            }
        }
        return out;
    }

    private Anomaly find(AnomalyKind kind) {
        return switch (kind) {
            case LOST_DELIVERED -> perId(kind, new StateRules(ix).lostDelivered(),
                    id -> outcome(id) + ", in the drained log and delivered " + ix.delivered.count(id)
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
            case LOST -> perId(kind, minus(ix.confirmed, ix.applied.elements()),
                    id -> "confirmed, applied 0 times in the final state");
            case LOST_LOG -> perId(kind, minus(ix.confirmed, ix.logged.elements()),
                    id -> "confirmed, absent from the drained log");
            case DUP_LOG -> perId(kind, ix.logged.repeated(),
                    id -> outcome(id) + ", " + ix.logged.count(id) + " times in the drained log at " + logRules().positionsOf(id));
            case DUP_APPLIED -> perId(kind, union(ix.applied.repeated(), ix.appliedByHistory.repeated()),
                    id -> outcome(id) + ", " + ix.applied.count(id) + " times in final appliedIds, "
                            + ix.appliedByHistory.count(id) + " times in apply ok events");
            case UNEXPECTED -> perId(kind, minus(visible(), ix.attempted), id -> "never sent; " + visibility(id));
            case FAILED_VISIBLE -> perId(kind, intersect(ix.failed, visible()), id -> "send failed; " + visibility(id));
            case APPLIED_NOT_IN_LOG -> perId(kind, minus(ix.applied.elements(), ix.logged.elements()),
                    id -> outcome(id) + ", applied " + ix.applied.count(id) + " times, absent from the drained log");
            case INCONSISTENT_OFFSETS -> inconsistentOffsets();
            case STATE_VS_APPLIED -> stateVsApplied();
            case STATE_VS_EXPECTED -> stateVsExpected();
            case REDELIVERY_LIE -> redeliveryLies();
        };
    }

    private LogRules logRules() {
        if (logRules == null) {
            logRules = new LogRules(ix);
        }
        return logRules;
    }

    private Anomaly fromFindings(AnomalyKind kind, SortedMap<String, Finding> findings) {
        List<AnomalyExample> ex = new ArrayList<>();
        for (String subject : Examples.firstSubjects(new TreeSet<>(findings.keySet()))) {
            Finding f = findings.get(subject);
            ex.add(examples.forIds(subject, f.ids(), f.detail()));
        }
        return new Anomaly(kind, kind.isFatalFor(guarantee), new TreeSet<>(findings.keySet()), ex);
    }

    private Anomaly perId(AnomalyKind kind, SortedSet<String> ids, Function<String, String> detail) {
        List<AnomalyExample> ex = new ArrayList<>();
        for (String id : Examples.firstSubjects(ids)) {
            ex.add(examples.forId(id, detail.apply(id)));
        }
        return new Anomaly(kind, kind.isFatalFor(guarantee), ids, ex);
    }

    private Anomaly inconsistentOffsets() {
        // Nearly every position has one id, claimed by its send ok, deliveries and log record alike: keep the
        // first id per position and build sets only for positions where another id shows up.
        Map<HistoryIndex.Position, String> firstId = new HashMap<>();
        SortedMap<String, SortedSet<String>> conflicts = new TreeMap<>();
        for (HistoryIndex.OffsetClaim c : ix.offsetClaims) {
            HistoryIndex.Position at = new HistoryIndex.Position(c.partition(), c.offset());
            String first = firstId.putIfAbsent(at, c.id());
            if (first != null && !first.equals(c.id())) {
                conflicts.computeIfAbsent(at.toString(), k -> new TreeSet<>(List.of(first))).add(c.id());
            }
        }
        SortedSet<String> subjects = new TreeSet<>(conflicts.keySet());
        List<AnomalyExample> ex = new ArrayList<>();
        conflicts.forEach((offset, ids) -> {
            if (ex.size() < io.semel.verify.checker.CheckResult.EXAMPLES_MAX) {
                ex.add(examples.forIds(offset, ids, "partition/offset " + offset + " holds ids " + ids));
            }
        });
        return new Anomaly(AnomalyKind.INCONSISTENT_OFFSETS, AnomalyKind.INCONSISTENT_OFFSETS.isFatalFor(guarantee),
                subjects, ex);
    }

    private Anomaly stateVsApplied() {
        SortedMap<String, String> mismatches = new TreeMap<>();
        Map<String, List<String>> idsByAccount = new HashMap<>();
        accounts().forEach((key, acc) -> {
            long sum = ix.sumAmt(acc.appliedIds());
            if (acc.balance() != sum) {
                mismatches.put(key, "balance " + acc.balance() + " ≠ Σ amt of its " + acc.appliedIds().size()
                        + " appliedIds " + sum);
                idsByAccount.put(key, acc.appliedIds());
            }
        });
        return perAccount(AnomalyKind.STATE_VS_APPLIED, mismatches, idsByAccount);
    }

    private Anomaly stateVsExpected() {
        // S4: the broker's log resolves unknown sends, so the store cannot explain away its own errors.
        Set<String> counted = new TreeSet<>(ix.confirmed);
        counted.addAll(intersect(ix.unknown, ix.logged.elements()));
        Map<String, Long> expected = ix.sumByAccount(counted);
        Map<String, List<String>> expectedIds = new HashMap<>();
        for (String id : counted) {
            expectedIds.computeIfAbsent(ix.sends.get(id).key(), k -> new ArrayList<>()).add(id);
        }
        SortedMap<String, AccountState> accounts = accounts();
        SortedSet<String> keys = new TreeSet<>(accounts.keySet());
        keys.addAll(expected.keySet());
        SortedMap<String, String> mismatches = new TreeMap<>();
        Map<String, List<String>> idsByAccount = new HashMap<>();
        for (String key : keys) {
            long balance = accounts.containsKey(key) ? accounts.get(key).balance() : 0;
            long want = expected.getOrDefault(key, 0L);
            if (balance != want) {
                List<String> applied = accounts.containsKey(key) ? accounts.get(key).appliedIds() : List.of();
                List<String> should = expectedIds.getOrDefault(key, List.of());
                mismatches.put(key, "balance " + balance + " ≠ Σ amt over confirmed and log-resolved unknown sends "
                        + want + "; missing " + firstFew(minus(new TreeSet<>(should), new TreeSet<>(applied)))
                        + ", extra " + firstFew(minus(new TreeSet<>(applied), new TreeSet<>(should))));
                Set<String> both = new TreeSet<>(should);
                both.addAll(applied);
                idsByAccount.put(key, new ArrayList<>(both));
            }
        }
        return perAccount(AnomalyKind.STATE_VS_EXPECTED, mismatches, idsByAccount);
    }

    private Anomaly perAccount(AnomalyKind kind, SortedMap<String, String> mismatches,
            Map<String, List<String>> idsByAccount) {
        List<AnomalyExample> ex = new ArrayList<>();
        for (String key : Examples.firstSubjects(new TreeSet<>(mismatches.keySet()))) {
            ex.add(examples.forIds(key, idsByAccount.get(key), mismatches.get(key)));
        }
        return new Anomaly(kind, kind.isFatalFor(guarantee), new TreeSet<>(mismatches.keySet()), ex);
    }

    private Anomaly redeliveryLies() {
        // A delivery count belongs to a log record, so a repeat is the same (partition, offset) seen again;
        // the same id at another offset is a log duplicate (dup-log), not a redelivery. Only one delivery
        // of a record can be its first: a second deliveryCount=1 is the lie, in whatever order the history
        // recorded them (a paused consumer records its count-1 poll after another member's count-2 one).
        Map<HistoryIndex.Position, Long> firstDeliveryAt = new HashMap<>();
        SortedMap<String, String> lies = new TreeMap<>();
        for (HistoryIndex.DeliveryAt d : ix.deliveries) {
            if (d.delivery().deliveryCount() != 1) {
                continue;
            }
            HistoryIndex.Position record = new HistoryIndex.Position(d.delivery().partition(), d.delivery().offset());
            Long earlier = firstDeliveryAt.putIfAbsent(record, d.event().i());
            if (earlier != null) {
                lies.putIfAbsent(d.delivery().id(), "partition/offset " + record + " delivered with deliveryCount=1 "
                        + "at event " + earlier + " and again at event " + d.event().i());
            }
        }
        return perId(AnomalyKind.REDELIVERY_LIE, new TreeSet<>(lies.keySet()), lies::get);
    }

    private SortedMap<String, AccountState> accounts() {
        return ((EventValue.ReadState) ix.readState.value()).accounts();
    }

    /** L ∪ D ∪ P ∪ Pₕ as a set, using only the final reads the history has. */
    private SortedSet<String> visible() {
        SortedSet<String> out = new TreeSet<>(ix.delivered.elements());
        out.addAll(ix.logged.elements());
        out.addAll(ix.applied.elements());
        out.addAll(ix.appliedByHistory.elements());
        return out;
    }

    private String visibility(String id) {
        return "in drained log " + ix.logged.count(id) + "×, delivered " + ix.delivered.count(id) + "×, applied "
                + ix.applied.count(id) + "× in the final state and in " + ix.appliedByHistory.count(id)
                + " apply ok event(s)";
    }

    private String outcome(String id) {
        if (ix.confirmed.contains(id)) {
            return "send ok";
        }
        if (ix.failed.contains(id)) {
            return "send failed";
        }
        if (ix.unknown.contains(id)) {
            return "send unknown";
        }
        return "never sent";
    }

    private static String firstFew(SortedSet<String> ids) {
        return ids.size() <= 8 ? ids.toString() : ids.stream().limit(8).toList() + " and " + (ids.size() - 8) + " more";
    }

    private static SortedSet<String> minus(Set<String> a, Set<String> b) {
        SortedSet<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static SortedSet<String> intersect(Set<String> a, Set<String> b) {
        SortedSet<String> out = new TreeSet<>(a);
        out.retainAll(b);
        return out;
    }

    private static SortedSet<String> union(Set<String> a, Set<String> b) {
        SortedSet<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }
}
