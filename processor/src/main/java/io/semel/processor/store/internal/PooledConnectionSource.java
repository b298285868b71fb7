package io.semel.processor.store.internal;

import io.semel.processor.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * PostgreSQL connections from a DataSource (usually a pool), one per transaction. Thread-safe.
 * Closes {@code owned} (the pool the store built) on {@link #close()}; a caller's DataSource is
 * left open.
 */
final class PooledConnectionSource implements ConnectionSource {
    private final DataSource dataSource;
    private final AutoCloseable owned;

    PooledConnectionSource(DataSource dataSource, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.owned = owned;
    }

    @Override
    public Connection acquire() throws SQLException {
        return dataSource.getConnection();
    }

    @Override
    public StatementCache statements(Connection c) {
        return new StatementCache();
    }

    @Override
    public boolean cachesAcrossTransactions() {
        return false;
    }

    @Override
    public void release(Connection c) {
        try {
            // The transaction ended (commit or rollback) before release; give the pool the connection
            // back in its default mode.
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // A broken connection: closing it below lets the pool discard it.
        }
        try {
            c.close();
        } catch (SQLException e) {
            // Nothing to do: the transaction already ended; the pool validates connections itself.
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new StoreException("closing connection pool: " + e.getMessage(), e, false);
            }
        }
    }
}
