package io.semel.client.internal;

import java.util.EnumSet;
import java.util.Set;

/**
 * Life of one producer batch, from its first send until its records' futures are settled and its
 * sequences are either in the log or released. The allowed transitions are listed here and
 * enforced by {@link #canMoveTo}; {@link ProducerBatch#moveTo} refuses any other.
 *
 * <pre>
 *  (taken from the buffer) ──send──▶ IN_FLIGHT ──appended / duplicate──────────────────▶ CONFIRMED
 *                                      │   │  ▲
 *  attempt never left the client,      │   │  │ resend (same sequences, or renumbered
 *  or was fenced by an old epoch       ▼   │  │  while every batch below the refused one
 *                                   BACKOFF ──┘   is definitely not appended)
 *                                      │   │
 *    answer lost, timeout, storage     │   └─ definite refusal / delivery timeout ──▶ RELEASING ──▶ REFUSED
 *    error, or any refusal the broker  │      (no copy can land: sequences may go)       (renumber the batches above)
 *    answered (a copy may be replayed) ▼
 *                                   IN_DOUBT ──resend, SAME sequences──▶ IN_FLIGHT_IN_DOUBT
 *                                      ▲                                      │
 *                                      └── refusal, OUT_OF_ORDER, lost answer ┘
 *                                          (a copy may still land: the doubt stays)
 *   IN_FLIGHT_IN_DOUBT ──appended / duplicate──▶ CONFIRMED   (the broker resolved the doubt)
 *   any live state ──producer stops, closes, or gives up without retries──▶ ABANDONED
 *   IN_FLIGHT / BACKOFF ──definite refusal of a caller-sequenced or non-idempotent batch──▶ REFUSED
 * </pre>
 *
 * <p>The rule this table exists for: <b>a batch that may have been appended never changes its
 * sequences</b>. Only BACKOFF batches (no copy of them exists anywhere) are renumbered, and
 * only above a batch that is definitely not appended (REFUSED): the broker appends sequences in
 * order, so nothing above a hole can be in the log. A doubtful batch leaves IN_DOUBT only when the
 * broker answers for its sequences (appended now, or a duplicate of an earlier copy).
 */
public enum BatchState {
    /** One attempt outstanding; no earlier attempt can ever be appended (none left a copy). */
    IN_FLIGHT,
    /** One attempt outstanding; an earlier attempt may be in the log, or a copy of it may land any time. */
    IN_FLIGHT_IN_DOUBT,
    /**
     * Waiting to be resent; no attempt reached the broker in a form it could still append (none left
     * the client, or it was fenced), so no copy of it exists anywhere. May be renumbered.
     */
    BACKOFF,
    /**
     * Waiting to be resent with its own sequences; it may be in the log, or a copy may still land
     * (an unknown outcome, or a refusal the broker answered: a network that replays stale requests
     * can still deliver that very request later).
     */
    IN_DOUBT,
    /** Definitely not appended and given up; its sequences go once nothing above it is in flight. */
    RELEASING,
    /** Terminal: in the log (appended or answered as a duplicate). */
    CONFIRMED,
    /** Terminal: definitely not appended; its records failed with a definite error. */
    REFUSED,
    /** Terminal: given up with the outcome unknown (no retries, close, producer stop). */
    ABANDONED;

    /** Whether a batch in this state may move to {@code next}. The single transition table. */
    public boolean canMoveTo(BatchState next) {
        return allowedNext().contains(next);
    }

    public boolean isTerminal() {
        return allowedNext().isEmpty();
    }

    /** An attempt is outstanding. */
    public boolean inFlight() {
        return this == IN_FLIGHT || this == IN_FLIGHT_IN_DOUBT;
    }

    /** Some attempt may have been appended, or may still be: its sequences are frozen. */
    public boolean inDoubt() {
        return this == IN_DOUBT || this == IN_FLIGHT_IN_DOUBT;
    }

    private Set<BatchState> allowedNext() {
        switch (this) {
            case IN_FLIGHT:
                return EnumSet.of(CONFIRMED, BACKOFF, IN_DOUBT, RELEASING, REFUSED, ABANDONED);
            case IN_FLIGHT_IN_DOUBT:
                return EnumSet.of(CONFIRMED, IN_DOUBT, ABANDONED);
            case BACKOFF:
                return EnumSet.of(IN_FLIGHT, RELEASING, REFUSED, ABANDONED);
            case IN_DOUBT:
                return EnumSet.of(IN_FLIGHT_IN_DOUBT, ABANDONED);
            case RELEASING:
                return EnumSet.of(REFUSED, ABANDONED);
            default:
                return EnumSet.noneOf(BatchState.class);
        }
    }
}
