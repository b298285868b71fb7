package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The operation definitely did not take effect: the broker answered with an error (for example
 * {@code MESSAGE_TOO_LARGE}, {@code UNKNOWN_TOPIC_OR_PARTITION}), or the client refused it before
 * anything was sent (buffer full, could not connect). For a send: the message was not appended, so
 * sending it again cannot create a duplicate.
 */
public class DefiniteFailureException extends SemelException {
    private static final long serialVersionUID = 1L;

    public DefiniteFailureException(ErrorCode errorCode, String message) {
        super(errorCode, message);
    }

    public DefiniteFailureException(ErrorCode errorCode, boolean retriable, String message, Throwable cause) {
        super(errorCode, retriable, message, cause);
    }
}
