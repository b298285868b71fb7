package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The request was (or may have been) sent, but no answer arrived: request timeout, connection cut
 * after sending, client closed while the request was in flight. For a send, the message may or may
 * not have been appended. Record it as unknown, never as failed: resending it from a producer
 * without the same identity and sequence may create a duplicate. Always retriable in the sense
 * that trying again may get an answer; {@link #errorCode()} is {@link ErrorCode#TIMEOUT}, or the
 * broker's own {@code TIMEOUT} answer.
 */
public class OutcomeUnknownException extends SemelException {
    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message, Throwable cause) {
        super(ErrorCode.TIMEOUT, true, message, cause);
    }

    public OutcomeUnknownException(String message) {
        this(message, null);
    }
}
