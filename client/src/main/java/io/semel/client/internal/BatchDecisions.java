package io.semel.client.internal;

import io.semel.client.OutcomeUnknownException;
import io.semel.client.SemelException;
import io.semel.protocol.ErrorCode;

/**
 * The producer's decisions for one batch, as pure functions: no sockets, no threads, no clock, no
 * mutation. Given the batch's {@link BatchState}, what the broker (or the network) said about an
 * attempt, and a few facts about the partition, they return the batch's next state and what its
 * records' callers are told. {@link SendEngine} applies the result; the simulation drives the
 * same functions.
 *
 * <p>What an answer proves is decided in one place, {@link #classify}: an error that can follow a
 * write (storage error, server error, disk full after a write, shutting down mid-round, timeout)
 * counts as "may have been appended", never as a refusal.
 */
public final class BatchDecisions {
    private BatchDecisions() {
    }

    /** How a batch gets its sequences, and whether it retries. */
    public enum Mode {
        /** One attempt; no producer id. */
        AT_MOST_ONCE,
        /** Retries without a producer id (duplicates allowed). */
        AT_LEAST_ONCE,
        /** Producer id, producer-assigned sequences, retries with the same sequences. */
        IDEMPOTENT,
        /** Producer id, sequences owned by the caller ({@code sendWithSequence}): never renumbered. */
        CALLER_SEQUENCES
    }

    /** What one attempt proved. */
    public enum Answer {
        /** Appended now, or a duplicate of an earlier copy: in the log. */
        APPENDED,
        /** No answer, or an error that can follow a write: it may be in the log, or land later. */
        UNKNOWN,
        /**
         * Refused for now by the broker (THROTTLED, ...): not appended by this attempt, but a stale
         * copy of the same request (a network that replays) could still be appended later.
         */
        RETRIABLE,
        /**
         * This attempt can never be appended: it never left the client (no connection), or it
         * carried an epoch the broker has fenced. Resending may succeed.
         */
        VOID,
        /** Not appended now: the broker expects a lower sequence first (a copy could land later). */
        OUT_OF_ORDER,
        /** Not appended: the broker will never accept this batch as it is. */
        REFUSED,
        /** Not appended, and this producer must stop (fenced by another instance, dedup state lost). */
        FATAL
    }

    /** What the records' callers learn from a decision. */
    public enum Outcome {
        /** Nothing yet: the batch goes on. */
        PENDING,
        /** Complete the futures with the broker's offsets. */
        CONFIRMED,
        /** Fail the futures definitely: not appended, and never will be. */
        FAILED,
        /** Fail the futures as unknown; a live next state keeps resolving the batch. */
        UNKNOWN,
        /** Fail the batch (definite if REFUSED, unknown if ABANDONED) and stop the producer. */
        STOP
    }

    /**
     * A decision.
     *
     * @param next the batch's next state
     * @param outcome what its callers are told
     * @param backoff whether a resend waits the exponential backoff (false: as soon as its turn comes)
     */
    public record Decision(BatchState next, Outcome outcome, boolean backoff) {
        static Decision of(BatchState next, Outcome outcome) {
            return new Decision(next, outcome, false);
        }

        static Decision resend(BatchState next, boolean backoff) {
            return new Decision(next, Outcome.PENDING, backoff);
        }
    }

    /**
     * What a broker answer proves.
     *
     * @param epochIsStale the attempt carried an epoch older than the producer's current one (its own
     *     INIT_PRODUCER for another topic fenced it), so PRODUCER_FENCED only asks for a resend
     */
    public static Answer classify(ErrorCode code, boolean epochIsStale) {
        switch (code) {
            case NONE:
            case DUPLICATE_SEQUENCE:
                return Answer.APPENDED;
            case TIMEOUT:
            case STORAGE_ERROR:
            case UNKNOWN_SERVER_ERROR:
            case NOT_ENOUGH_SPACE:
            case BROKER_SHUTTING_DOWN:
                // Each can be answered for a batch that was written before the failure (a failed
                // round, a failed force whose bytes survive in the page cache, a timeout).
                return Answer.UNKNOWN;
            case OUT_OF_ORDER_SEQUENCE:
                return Answer.OUT_OF_ORDER;
            case PRODUCER_FENCED:
                // A fenced epoch stays fenced: no copy of this attempt can ever be appended.
                return epochIsStale ? Answer.VOID : Answer.FATAL;
            case DEDUP_STATE_UNKNOWN:
            case UNKNOWN_PRODUCER:
                return Answer.FATAL;
            default:
                return code.retriable() ? Answer.RETRIABLE : Answer.REFUSED;
        }
    }

    /** What a failure without a broker answer proves (connection cut, timeout, nothing sent). */
    public static Answer classify(SemelException noAnswer) {
        if (noAnswer instanceof OutcomeUnknownException) {
            return Answer.UNKNOWN;
        }
        // A failure before anything was written (no connection) is retriable; one the client found
        // in the request itself (too large a frame) is final. Neither left a copy anywhere.
        return noAnswer.retriable() ? Answer.VOID : Answer.REFUSED;
    }

    /**
     * The decision for an answered attempt of a batch in flight.
     *
     * @param lowerPending a batch with lower sequences on the same partition is not settled yet
     *     (in flight, waiting to be resent, or being released): an OUT_OF_ORDER answer is then
     *     expected and the batch waits for it, never a reason to stop
     */
    public static Decision onAnswer(BatchState state, Answer answer, Mode mode, boolean lowerPending) {
        if (!state.inFlight()) {
            throw new IllegalStateException("an answer for a batch in state " + state + " (not in flight)");
        }
        boolean doubt = state.inDoubt();
        BatchState waiting = doubt ? BatchState.IN_DOUBT : BatchState.BACKOFF;
        BatchState gaveUp = doubt ? BatchState.ABANDONED : BatchState.REFUSED;
        Outcome failed = doubt ? Outcome.UNKNOWN : Outcome.FAILED;
        boolean retries = mode != Mode.AT_MOST_ONCE;
        switch (answer) {
            case APPENDED:
                return Decision.of(BatchState.CONFIRMED, Outcome.CONFIRMED);
            case UNKNOWN:
                return retries ? Decision.resend(BatchState.IN_DOUBT, true)
                        : Decision.of(BatchState.ABANDONED, Outcome.UNKNOWN);
            case VOID:
                return retries ? Decision.resend(waiting, true) : Decision.of(gaveUp, failed);
            case RETRIABLE:
                // The request reached the broker: a replayed copy of it could still be appended.
                return retries ? Decision.resend(BatchState.IN_DOUBT, true)
                        : Decision.of(BatchState.ABANDONED, Outcome.UNKNOWN);
            case OUT_OF_ORDER:
                if (lowerPending && (mode == Mode.IDEMPOTENT || mode == Mode.CALLER_SEQUENCES)) {
                    // After the lower batches, in order; a replayed copy could still land once they are in.
                    return Decision.resend(BatchState.IN_DOUBT, false);
                }
                if (mode == Mode.IDEMPOTENT) {
                    // Nothing of ours below it is unsettled, yet the broker misses sequences below
                    // it: the broker's state does not match this producer's.
                    return Decision.of(BatchState.ABANDONED, Outcome.STOP);
                }
                return Decision.of(gaveUp, failed); // caller-owned sequences: documented as definite
            case REFUSED:
                if (mode == Mode.IDEMPOTENT) {
                    // A doubtful batch can be neither resolved (refused) nor given up (its
                    // sequences may be in the log, a copy may land): the partition cannot go on.
                    return doubt ? Decision.of(BatchState.ABANDONED, Outcome.STOP)
                            : Decision.of(BatchState.RELEASING, Outcome.FAILED);
                }
                return Decision.of(gaveUp, failed);
            case FATAL:
                return Decision.of(gaveUp, Outcome.STOP);
            default:
                throw new IllegalArgumentException("answer " + answer);
        }
    }

    /**
     * The decision for a batch waiting to be resent whose delivery timeout passed (called once: the
     * callers are told then).
     *
     * @param releaseSafe every batch above it on the partition is waiting to be resent and has never
     *     been in doubt, so its sequences can be released and theirs moved down
     */
    public static Decision onDeadline(BatchState state, Mode mode, boolean releaseSafe) {
        if (state != BatchState.BACKOFF && state != BatchState.IN_DOUBT) {
            throw new IllegalStateException("a delivery timeout for a batch in state " + state);
        }
        if (state == BatchState.IN_DOUBT) {
            // Idempotent: tell the callers "unknown" but keep resending with the same sequences
            // until the broker answers for them; giving them up could shadow later records.
            return mode == Mode.IDEMPOTENT ? Decision.of(BatchState.IN_DOUBT, Outcome.UNKNOWN)
                    : Decision.of(BatchState.ABANDONED, Outcome.UNKNOWN);
        }
        if (mode != Mode.IDEMPOTENT) {
            return Decision.of(BatchState.REFUSED, Outcome.FAILED);
        }
        // Not appended; but if a batch above it is in flight or in doubt, renumbering could put new
        // records into sequences a copy of that batch may still fill: keep it, report unknown.
        return releaseSafe ? Decision.of(BatchState.RELEASING, Outcome.FAILED)
                : Decision.of(BatchState.BACKOFF, Outcome.UNKNOWN);
    }
}
