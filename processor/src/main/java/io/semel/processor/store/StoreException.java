package io.semel.processor.store;

/**
 * The database failed. {@link #retriable()} is true when the failure is transient (SQLite busy,
 * PostgreSQL serialization failure or deadlock, a lost connection) and the store already used up
 * its own {@link StoreOptions#txRetriesMax()} retries: the caller may try the whole unit again later.
 * The transaction that hit it was rolled back.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retriable;

    public StoreException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    public boolean retriable() {
        return retriable;
    }
}
