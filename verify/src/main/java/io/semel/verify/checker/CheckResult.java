package io.semel.verify.checker;

import io.semel.verify.checker.internal.ResultJson;
import io.semel.verify.history.Guarantee;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the checker found in one history. Immutable.
 *
 * @param guarantee the guarantee the run promised (from the header)
 * @param verdict valid, invalid, trivial or unknown; {@link #reasons} says why
 * @param reasons one line per fatal anomaly, reported anomaly and failed non-triviality condition
 * @param anomalies every anomaly kind that could be computed (all of them when the history has a drain-log
 *     and a read-state), found or not
 * @param redeliveryHistogram deliveryCount → number of deliveries with that count (legal, not fatal)
 * @param unseen K − D: confirmed but never delivered (liveness, not fatal)
 * @param recovered I ∩ (L ∪ D ∪ P): unknown sends that showed up
 */
public record CheckResult(Guarantee guarantee, Verdict verdict, List<String> reasons, Counts counts,
        SortedMap<AnomalyKind, Anomaly> anomalies, SortedMap<Integer, Long> redeliveryHistogram,
        SortedSet<String> unseen, SortedSet<String> recovered) {

    /** Examples kept per anomaly kind. */
    public static final int EXAMPLES_MAX = 32;

    public CheckResult {
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(counts, "counts");
        reasons = List.copyOf(reasons);
        anomalies = Collections.unmodifiableSortedMap(new TreeMap<>(anomalies));
        redeliveryHistogram = Collections.unmodifiableSortedMap(new TreeMap<>(redeliveryHistogram));
        unseen = Collections.unmodifiableSortedSet(new TreeSet<>(unseen));
        recovered = Collections.unmodifiableSortedSet(new TreeSet<>(recovered));
    }

    /** The result for {@code kind}; empty if it could not be computed (no drain-log or read-state). */
    public Optional<Anomaly> anomaly(AnomalyKind kind) {
        return Optional.ofNullable(anomalies.get(kind));
    }

    /** Kinds with at least one instance, fatal or not. */
    public Set<AnomalyKind> found() {
        Set<AnomalyKind> out = EnumSet.noneOf(AnomalyKind.class);
        anomalies.values().stream().filter(Anomaly::found).forEach(a -> out.add(a.kind()));
        return Collections.unmodifiableSet(out);
    }

    /** Kinds with at least one instance that are fatal for the run's guarantee. */
    public Set<AnomalyKind> fatalFound() {
        Set<AnomalyKind> out = EnumSet.noneOf(AnomalyKind.class);
        anomalies.values().stream().filter(a -> a.found() && a.fatal()).forEach(a -> out.add(a.kind()));
        return Collections.unmodifiableSet(out);
    }

    /** The result as pretty-printed JSON; events in examples use the history line layout. */
    public String toJson() {
        return ResultJson.render(this);
    }
}
