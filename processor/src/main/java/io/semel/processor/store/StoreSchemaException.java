package io.semel.processor.store;

/**
 * The database holds a schema this code cannot use: written by a newer Semel version, or a migration
 * failed. Opening is refused before anything is written. Not retriable.
 */
public class StoreSchemaException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreSchemaException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
