package io.semel.verify.checker.internal;

import io.semel.verify.checker.Anomaly;
import io.semel.verify.checker.AnomalyKind;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.checker.Counts;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One check of one history: index (one pass), anomalies, examples (a second pass, only if something was found),
 * non-triviality, verdict. Pure and deterministic: the same history gives the same result whether it comes from
 * memory or from a file.
 */
public final class CheckRun {
    private CheckRun() {
    }

    public static CheckResult check(History history, CheckerOptions options) {
        try {
            return check(EventSource.of(history), options);
        } catch (IOException e) {
            throw new UncheckedIOException("a history in memory cannot fail to be read", e);
        }
    }

    public static CheckResult check(EventSource source, CheckerOptions options) throws IOException {
        return check(source, options, e -> { });
    }

    /** {@link #check(EventSource, CheckerOptions)}; {@code alsoSee} gets every event of the index pass too. */
    public static CheckResult check(EventSource source, CheckerOptions options, Consumer<HistoryEvent> alsoSee)
            throws IOException {
        HistoryIndex ix = new HistoryIndex(source.header());
        source.forEach(e -> {
            ix.accept(e);
            alsoSee.accept(e);
        });
        ix.finish();
        Guarantee guarantee = source.header().guarantee();
        // Kafka keeps no per-record delivery count (a plain consumer re-reads from its committed offset, KafkaSource
        // counts nacks in memory only), so the two rules that hold a broker to its counts do not apply to it.
        boolean countsKept = !EventValue.Header.ENGINE_KAFKA.equals(source.header().engineOrDefault());
        SortedMap<AnomalyKind, Anomaly> anomalies = new AnomalyFinder(ix, guarantee, countsKept).findAll(source);

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
        SortedSet<String> recovered = idsWhere(ix, id -> ix.unknown(id)
                && (ix.logged(id) > 0 || ix.delivered(id) > 0 || ix.applied(id) > 0));
        SortedSet<String> unseen = idsWhere(ix, id -> ix.confirmed(id) && ix.delivered(id) == 0);
        return new CheckResult(guarantee, verdict, reasons, counts(ix, anomalies, recovered, unseen), anomalies,
                redeliveryHistogram(ix), unseen, recovered);
    }

    private static Counts counts(HistoryIndex ix, SortedMap<AnomalyKind, Anomaly> anomalies, SortedSet<String> recovered,
            SortedSet<String> unseen) {
        SortedSet<String> lost = subjects(anomalies, AnomalyKind.LOST, AnomalyKind.LOST_LOG, AnomalyKind.LOST_DELIVERED);
        SortedSet<String> duplicated = subjects(anomalies, AnomalyKind.DUP_LOG, AnomalyKind.DUP_APPLIED);
        long delivered = 0;
        long applied = 0;
        for (int id = 0; id < ix.idCount(); id++) {
            delivered += ix.delivered(id) > 0 ? 1 : 0;
            applied += ix.applied(id) > 0 ? 1 : 0;
        }
        return new Counts(ix.attemptedCount(), ix.confirmedCount(), ix.failedCount(), ix.unknownCount(),
                recovered.size(), ix.deliveries.size(), delivered, ix.drainLog == null ? 0 : ix.drainLog.size(),
                applied, lost.size(), duplicated.size(), unseen.size());
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

    private static SortedSet<String> idsWhere(HistoryIndex ix, java.util.function.IntPredicate rule) {
        SortedSet<String> out = new TreeSet<>();
        for (int id = 0; id < ix.idCount(); id++) {
            if (rule.test(id)) {
                out.add(ix.name(id));
            }
        }
        return out;
    }

    private static SortedMap<Integer, Long> redeliveryHistogram(HistoryIndex ix) {
        SortedMap<Integer, Long> out = new TreeMap<>();
        for (int k = 0; k < ix.deliveries.size(); k++) {
            out.merge(ix.deliveries.count(k), 1L, Long::sum);
        }
        return out;
    }
}
