package io.semel.processor.store.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.util.Set;

/**
 * The batch statement a handler gets from {@code StoreTransaction.batch}: parameters and
 * {@code addBatch} only. Executing or closing it is refused, because the store executes it before
 * the commit and keeps it prepared for the next transaction.
 */
final class GuardedStatement {
    private static final Set<String> REFUSED = Set.of("close", "executeBatch", "executeLargeBatch", "execute",
            "executeQuery", "executeUpdate", "executeLargeUpdate", "closeOnCompletion");

    private GuardedStatement() {
    }

    static PreparedStatement wrap(PreparedStatement target, String sql) {
        return (PreparedStatement) Proxy.newProxyInstance(GuardedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "batch statement [" + sql + "]";
                        };
                    }
                    if (REFUSED.contains(method.getName())) {
                        throw new IllegalStateException("PreparedStatement." + method.getName() + " is not allowed on a "
                                + "batch statement of a store transaction: add rows with addBatch(); the store executes "
                                + "them before the commit (or call executeBatches()) and keeps the statement prepared");
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
