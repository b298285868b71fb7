package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The producer can no longer send: {@code PRODUCER_FENCED} (a newer instance with the same name
 * called INIT_PRODUCER), {@code DEDUP_STATE_UNKNOWN} or {@code UNKNOWN_PRODUCER} (the broker lost
 * the state deduplication needs), or the broker's sequence for a partition no longer matches the
 * producer's. Every later send fails with this exception; close the producer and, after checking
 * why, create a new one (which resynchronises sequences from the broker). A lost dedup state is
 * the subtype {@link DedupStateUnknownException}.
 */
public class FatalProducerException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public FatalProducerException(ErrorCode errorCode, String message) {
        super(errorCode, false, message, null);
    }

    /** The exception for a fatal {@code code}: {@link DedupStateUnknownException} for DEDUP_STATE_UNKNOWN. */
    public static FatalProducerException of(ErrorCode code, String message) {
        return code == ErrorCode.DEDUP_STATE_UNKNOWN ? new DedupStateUnknownException(message)
                : new FatalProducerException(code, message);
    }
}
