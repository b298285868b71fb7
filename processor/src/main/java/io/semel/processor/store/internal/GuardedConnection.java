package io.semel.processor.store.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Savepoint;
import java.util.Set;

/**
 * The connection a handler sees: the transaction's own, except that ending the transaction
 * (commit, rollback to the start, auto-commit, close, isolation change) is refused, because the
 * store's commit must cover the handler's writes together with the inbox and position rows. Also
 * refuses any use after the transaction ended. Savepoints remain available, and tell the transaction: rows it
 * holds back to write later (outbox rows added with {@code addOutbox}) are written before a savepoint is set and
 * dropped when the handler rolls back to one, so they follow the savepoint as if written at once.
 */
final class GuardedConnection {
    private static final Set<String> REFUSED = Set.of("commit", "setAutoCommit", "close", "abort",
            "setTransactionIsolation");

    private GuardedConnection() {
    }

    /** What the transaction does around a handler's savepoints. */
    interface SavepointListener {
        /** Before a savepoint is set: write what is held back, so it lies before the savepoint. */
        void beforeSavepoint() throws java.sql.SQLException;

        /**
         * After a rollback to a savepoint: drop what is held back. Everything held back was added after the latest
         * savepoint (held rows are written when one is set), hence after the one rolled back to.
         */
        void afterRollbackToSavepoint();
    }

    /** {@code active} is checked on every call; flip it to false when the transaction ends. */
    static Connection wrap(Connection target, java.util.function.BooleanSupplier active, SavepointListener savepoints) {
        return (Connection) Proxy.newProxyInstance(GuardedConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args);
                    }
                    if (!active.getAsBoolean()) {
                        throw new IllegalStateException("Connection." + method.getName()
                                + " called after its store transaction ended; use it only inside the work");
                    }
                    if (REFUSED.contains(method.getName()) || isFullRollback(method)) {
                        throw new IllegalStateException("Connection." + method.getName() + " is not allowed inside "
                                + "a store transaction: the store commits or rolls back when the work returns or "
                                + "throws (call StoreTransaction.setRollbackOnly() to roll back)");
                    }
                    if (method.getName().equals("setSavepoint")) {
                        savepoints.beforeSavepoint();
                    }
                    Object result;
                    try {
                        result = method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("rollback")) { // to a savepoint: a full rollback is refused above
                        savepoints.afterRollbackToSavepoint();
                    }
                    return result;
                });
    }

    private static boolean isFullRollback(Method m) {
        return m.getName().equals("rollback")
                && (m.getParameterCount() == 0 || m.getParameterTypes()[0] != Savepoint.class);
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "GuardedConnection@" + Integer.toHexString(System.identityHashCode(proxy));
        }
    }
}
