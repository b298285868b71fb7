package io.semel.verify.checker.reference;

import io.semel.verify.checker.Anomaly;
import io.semel.verify.checker.AnomalyKind;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.checker.Counts;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checker as it was before its compact streaming index (main's {@code checker.internal} up to the issue-8
 * change), kept unchanged as a reference: {@code SyntheticHistoryCheckTest} holds the compact checker to the same
 * JSON result, examples included. It keeps whole-history maps and needs several GB for a soak history; tests
 * only.
 */
public final class CheckRun {
    private CheckRun() {
    }

    public static CheckResult check(History history, CheckerOptions options) {
        HistoryIndex ix = new HistoryIndex(history);
        Guarantee guarantee = history.header().guarantee();
        // Kafka keeps no per-record delivery count (a plain consumer re-reads from its committed offset, KafkaSource
        // counts nacks in memory only), so the two rules that hold a broker to its counts do not apply to it.
        boolean countsKept = !EventValue.Header.ENGINE_KAFKA.equals(history.header().engineOrDefault());
        SortedMap<AnomalyKind, Anomaly> anomalies = new AnomalyFinder(ix, guarantee, countsKept).findAll();

        List<String> reasons = new ArrayList<>();
        boolean fatal = false;
        for (Anomaly a : anomalies.values()) {
            if (a.found()) {
                fatal |= a.fatal();
                reasons.add(a.kind().wireName() + ": " + a.count() + (a.fatal() ? " (fatal for " : " (reported, not fatal for ")
                        + guarantee.wireName() + ")");
            }
        }
        boolean complete = ix.hasDrainLog() && ix.hasReadState();
        if (!ix.hasDrainLog()) {
            reasons.add("no drain-log ok: log-based anomalies were not computed");
        }
        if (!ix.hasReadState()) {
            reasons.add("no read-state ok: state-based anomalies were not computed");
        }
        List<String> trivial = Triviality.reasons(ix, guarantee, options.minConfirmed());
        Verdict verdict;
        if (fatal) {
            verdict = Verdict.INVALID;
        } else if (!complete) {
            verdict = Verdict.UNKNOWN;
        } else if (!trivial.isEmpty()) {
            verdict = Verdict.TRIVIAL;
        } else {
            verdict = Verdict.VALID;
        }
        reasons.addAll(trivial);
        SortedSet<String> recovered = recovered(ix);
        return new CheckResult(guarantee, verdict, reasons, counts(ix, anomalies, recovered), anomalies,
                redeliveryHistogram(ix), unseen(ix), recovered);
    }

    private static Counts counts(HistoryIndex ix, SortedMap<AnomalyKind, Anomaly> anomalies, SortedSet<String> recovered) {
        SortedSet<String> lost = subjects(anomalies, AnomalyKind.LOST, AnomalyKind.LOST_LOG, AnomalyKind.LOST_DELIVERED);
        SortedSet<String> duplicated = subjects(anomalies, AnomalyKind.DUP_LOG, AnomalyKind.DUP_APPLIED);
        return new Counts(ix.attempted.size(), ix.confirmed.size(), ix.failed.size(), ix.unknown.size(),
                recovered.size(), ix.deliveries.size(), ix.delivered.elements().size(), ix.logged.size(),
                ix.applied.elements().size(), lost.size(), duplicated.size(), unseen(ix).size());
    }

    private static SortedSet<String> subjects(SortedMap<AnomalyKind, Anomaly> anomalies, AnomalyKind... kinds) {
        SortedSet<String> out = new TreeSet<>();
        for (AnomalyKind k : kinds) {
            Anomaly a = anomalies.get(k);
            if (a != null) {
                out.addAll(a.subjects());
            }
        }
        return out;
    }

    private static SortedSet<String> recovered(HistoryIndex ix) {
        SortedSet<String> out = new TreeSet<>();
        for (String id : ix.unknown) {
            if (ix.logged.contains(id) || ix.delivered.contains(id) || ix.applied.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    private static SortedSet<String> unseen(HistoryIndex ix) {
        SortedSet<String> out = new TreeSet<>(ix.confirmed);
        out.removeAll(ix.delivered.elements());
        return out;
    }

    private static SortedMap<Integer, Long> redeliveryHistogram(HistoryIndex ix) {
        SortedMap<Integer, Long> out = new TreeMap<>();
        ix.deliveries.forEach(d -> out.merge(d.delivery().deliveryCount(), 1L, Long::sum));
        return out;
    }
}
