package io.semel.processor.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statements of one transaction that handlers add rows to ({@code StoreTransaction.batch}): each
 * the connection's cached statement itself (no wrapper: a handler sets parameters on it for every
 * message, and a reflective guard cost more than the rows), executed in first-use order. A handler
 * that executes one itself only runs its rows early in the same transaction; one that closes it makes
 * {@link #executeAll} fail loudly (the rows are gone) and the cache prepare it anew. Not thread-safe:
 * one transaction.
 */
final class BatchStatements {
    /** The cached statements with rows added, in first-use order. */
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();

    PreparedStatement get(StatementCache cache, Connection c, String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = cache.get(c, sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    boolean isEmpty() {
        return statements.isEmpty();
    }

    /** Executes every statement's rows, in first-use order; the statements are then forgotten. */
    void executeAll() throws SQLException {
        for (Map.Entry<String, PreparedStatement> e : statements.entrySet()) {
            if (e.getValue().isClosed()) {
                throw new IllegalStateException("the batch statement [" + e.getKey() + "] was closed before the "
                        + "store executed it, so its rows are lost; do not close statements from "
                        + "StoreTransaction.batch (the store keeps them prepared)");
            }
            e.getValue().executeBatch();
        }
        forget();
    }

    /**
     * Drops rows never executed: the statements stay cached (SQLite) and must not carry them into the
     * next transaction.
     */
    void discard() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.clearBatch();
            } catch (SQLException e) {
                // the statement is unusable; the cache drops it with the connection
            }
        }
        forget();
    }

    private void forget() {
        statements.clear();
    }
}
