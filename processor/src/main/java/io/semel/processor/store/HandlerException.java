package io.semel.processor.store;

/**
 * The user's work failed inside a store transaction. Thrown by {@link TransactionWork#run} to wrap the
 * handler's own checked exception; the transaction is rolled back and the exception is rethrown by
 * {@link JdbcStore#inTransaction} unchanged. Never retried by the store: whether to redeliver is the
 * processor's decision.
 */
public class HandlerException extends Exception {
    private static final long serialVersionUID = 1L;

    public HandlerException(String message, Throwable cause) {
        super(message, cause);
    }

    public HandlerException(Throwable cause) {
        super(cause);
    }
}
