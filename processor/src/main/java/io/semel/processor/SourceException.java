package io.semel.processor;

/**
 * A {@link Source} failed to poll, for a reason that is not the processor's store. When
 * {@link #retriable()} the processor backs off and polls again (nothing was committed); otherwise it
 * stops as FAILED with this message, which says what the operator has to decide.
 */
public class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retriable;

    public SourceException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
