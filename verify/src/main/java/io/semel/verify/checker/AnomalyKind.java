package io.semel.verify.checker;

import io.semel.verify.history.Guarantee;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every anomaly the checker looks for, with the guarantees for which it is fatal. Losses are
 * tolerated only by at-most-once and duplicates only by at-least-once; everything else (a torn
 * transaction, a lie about delivery counts, data nobody sent, a failed send that shows up, two ids at
 * one offset) breaks every guarantee, because no delivery semantics explains it. Notation (docs/verify.md):
 * A/K/F/I attempted/confirmed/failed/unknown send ids; L the drained-log multiset; D the delivered multiset;
 * P the multiset of {@code appliedIds} in the final store; Pₕ the ids in {@code apply ok} events. Each kind's
 * meaning and why it is fatal (or not) is in docs/verify.md.
 */
public enum AnomalyKind {
    /** K − P: a confirmed send never applied. */
    LOST("lost", Needs.STATE, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE),
    /** K − L: a confirmed send not in the drained log. */
    LOST_LOG("lost-log", Needs.LOG, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE),
    /**
     * (set(L) ∩ set(D)) − set(P): logged and delivered, never applied. The consumer had it, whatever the send's
     * outcome; only at-most-once (ack before apply) may lose it.
     */
    LOST_DELIVERED("lost-delivered", Needs.LOG_AND_STATE, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE),
    /** Multiplicity > 1 in L; fatal even for unknown sends. */
    DUP_LOG("dup-log", Needs.LOG, Guarantee.EXACTLY_ONCE, Guarantee.AT_MOST_ONCE),
    /** Multiplicity > 1 in P or in Pₕ. */
    DUP_APPLIED("dup-applied", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_MOST_ONCE),
    /** (L ∪ D ∪ P ∪ Pₕ) − A: seen or applied but never sent. */
    UNEXPECTED("unexpected", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** F ∩ (L ∪ D ∪ P ∪ Pₕ): a send reported as definitely failed is visible. */
    FAILED_VISIBLE("failed-visible", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** set(P) − set(L): applied but not in the log. */
    APPLIED_NOT_IN_LOG("applied-not-in-log", Needs.LOG_AND_STATE, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** One (partition, offset) holds two different ids across send oks, deliveries and the drained log. */
    INCONSISTENT_OFFSETS("inconsistent-offsets", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** S3: an account's balance ≠ Σ amt of its appliedIds (torn or partial transaction). */
    STATE_VS_APPLIED("state-vs-applied", Needs.STATE, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** S4: an account's balance ≠ Σ amt over K ∪ (I ∩ set(L)) for that account. */
    STATE_VS_EXPECTED("state-vs-expected", Needs.LOG_AND_STATE, Guarantee.EXACTLY_ONCE),
    /** A log record delivered again with deliveryCount = 1. */
    REDELIVERY_LIE("redelivery-lie", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** A redelivery whose count is not above the same consumer's earlier count, or repeats another delivery's. */
    COUNT_NOT_INCREASING("count-not-increasing", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE,
            Guarantee.AT_MOST_ONCE),
    /** An id of an {@code apply ok} missing from a read-state that began after it: a committed apply vanished. */
    APPLY_VANISHED("apply-vanished", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE,
            Guarantee.AT_MOST_ONCE),
    /** A later read-state holds an id fewer times than an earlier one: the store rolled back. */
    STATE_ROLLBACK("state-rollback", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE,
            Guarantee.AT_MOST_ONCE),
    /** A send ok or a delivery put an id at a (partition, offset) where the drained log does not hold it. */
    OFFSET_MISMATCH("offset-mismatch", Needs.LOG, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** Offsets missing inside a partition of the drained log (offsets are dense from 0). */
    LOG_HOLE("log-hole", Needs.LOG, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** A stored position that does not cover exactly what its read-state applied. */
    POSITION_MISMATCH("position-mismatch", Needs.LOG, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE,
            Guarantee.AT_MOST_ONCE),
    /** Jepsen's lost write: confirmed, below an offset some delivery reached, never delivered. */
    LOST_WRITE("lost-write", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** Within one lease, first deliveries jumped over an offset nobody was ever delivered. */
    POLL_SKIP("poll-skip", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** A poll's offsets of one partition not increasing, or first deliveries going back within one lease. */
    POLL_REORDER("poll-reorder", Needs.NOTHING, Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE),
    /** Per producer and partition, confirmed offsets not increasing with send order. */
    SEND_REORDER("send-reorder", Needs.NOTHING, Guarantee.EXACTLY_ONCE);

    /** Which final reads an anomaly needs before it can be computed. */
    private enum Needs { NOTHING, LOG, STATE, LOG_AND_STATE }

    private final String wireName;
    private final Needs needs;
    private final Set<Guarantee> fatalFor;

    AnomalyKind(String wireName, Needs needs, Guarantee first, Guarantee... rest) {
        this.wireName = wireName;
        this.needs = needs;
        this.fatalFor = EnumSet.of(first, rest);
    }

    public String wireName() {
        return wireName;
    }

    /** True if a run promising {@code g} is invalid when this anomaly occurs; otherwise it is only reported. */
    public boolean isFatalFor(Guarantee g) {
        return fatalFor.contains(g);
    }

    /** True if this anomaly can be computed given which final reads the history has. */
    public boolean computableWith(boolean haveLog, boolean haveState) {
        return switch (needs) {
            case NOTHING -> true;
            case LOG -> haveLog;
            case STATE -> haveState;
            case LOG_AND_STATE -> haveLog && haveState;
        };
    }
}
