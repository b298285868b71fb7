package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The producer or consumer was closed before the operation was sent: it definitely did not take
 * effect. Operations already sent when the client closed fail with {@link OutcomeUnknownException}
 * instead. {@link #errorCode()} is {@link ErrorCode#NONE}: no broker was involved.
 */
public class ClientClosedException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public ClientClosedException(String message) {
        super(ErrorCode.NONE, false, message, null);
    }
}
