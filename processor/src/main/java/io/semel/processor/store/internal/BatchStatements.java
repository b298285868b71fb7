package io.semel.processor.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statements of one transaction that handlers add rows to ({@code StoreTransaction.batch}): each
 * the connection's cached statement, handed out behind a {@link GuardedStatement}, executed in
 * first-use order. Not thread-safe: one transaction.
 */
final class BatchStatements {
    /** The cached statements with rows added, in first-use order. */
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();
    /** What {@link #get} hands out for each of {@link #statements}: the same statement, guarded. */
    private final Map<String, PreparedStatement> guarded = new HashMap<>();

    PreparedStatement get(StatementCache cache, Connection c, String sql) throws SQLException {
        PreparedStatement g = guarded.get(sql);
        if (g == null) {
            PreparedStatement ps = cache.get(c, sql);
            g = GuardedStatement.wrap(ps, sql);
            statements.put(sql, ps);
            guarded.put(sql, g);
        }
        return g;
    }

    boolean isEmpty() {
        return statements.isEmpty();
    }

    /** Executes every statement's rows, in first-use order; the statements are then forgotten. */
    void executeAll() throws SQLException {
        for (PreparedStatement ps : statements.values()) {
            ps.executeBatch();
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
        guarded.clear();
    }
}
