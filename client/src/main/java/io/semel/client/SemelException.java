package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * Base of every failure the client reports. Unchecked; the subclass says what the caller may
 * conclude about the effect of the operation:
 *
 * <ul>
 *   <li>{@link DefiniteFailureException}: the operation definitely did not take effect (the broker
 *       refused it, or the client refused before sending).
 *   <li>{@link OutcomeUnknownException}: it may or may not have taken effect (timeout, connection
 *       cut after sending).
 *   <li>{@link ClientClosedException}: the client was closed before the operation was sent.
 * </ul>
 *
 * <p>{@link #errorCode()} is the broker's wire code when the broker answered; for failures found by
 * the client it is the closest code ({@link ErrorCode#TIMEOUT} for an unknown outcome) or
 * {@link ErrorCode#NONE} when no broker code applies (closed, could not connect). {@link #retriable()}
 * says whether the same operation may succeed if tried again later.
 */
public class SemelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final boolean retriable;

    public SemelException(ErrorCode errorCode, boolean retriable, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode == null ? ErrorCode.UNKNOWN_SERVER_ERROR : errorCode;
        this.retriable = retriable;
    }

    public SemelException(ErrorCode errorCode, String message) {
        this(errorCode, errorCode != null && errorCode.retriable(), message, null);
    }

    /** The broker's code, or the closest one for failures found by the client (see class doc). */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Whether the same operation may succeed if tried again after a backoff. */
    public boolean retriable() {
        return retriable;
    }
}
