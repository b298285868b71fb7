package io.semel.processor.outbox;

/** A send did not complete (failed, unknown or timed out); the relay starts a new session and retries. */
class RelaySendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RelaySendException(String message, Throwable cause) {
        super(message, cause);
    }
}
