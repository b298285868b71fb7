package io.semel.processor.store.internal;

import io.semel.processor.store.StoreException;
import io.semel.processor.store.StoreOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one SQLite connection of a store, lent to one thread at a time. SQLite allows a single writer
 * per database file, so the store does not pretend otherwise: a fair lock serializes transactions
 * in this process (callers queue in arrival order) and {@code busy_timeout} makes a statement wait
 * for another process (e.g. {@code semel inspect}) instead of failing at once.
 *
 * <p>Thread-safe. The lock is held for a whole transaction, including the user's handler; it is the
 * only lock in the store and nothing else is locked while holding it.
 */
final class SqliteConnectionSource implements ConnectionSource {
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Connection connection;
    /** Guarded by {@link #lock}, like the connection. */
    private final StatementCache statements = new StatementCache();
    private boolean closed;

    private SqliteConnectionSource(Connection connection) {
        this.connection = connection;
    }

    static SqliteConnectionSource open(Path file, StoreOptions options) {
        try {
            java.util.Properties props = new java.util.Properties();
            // Otherwise sqlite-jdbc runs an extra "last_insert_rowid()" query after every INSERT; the
            // store reads generated ids with RETURNING where it needs them.
            props.setProperty("jdbc.get_generated_keys", "false");
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
            try (Statement s = c.createStatement()) {
                // Set before anything else so even journal_mode waits for a busy file.
                s.execute("PRAGMA busy_timeout = " + options.busyTimeoutMs());
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "?";
                    if (!"wal".equals(mode.toLowerCase(Locale.ROOT))) {
                        throw new StoreException("SQLite refused WAL journal mode for " + file + " (got '" + mode
                                + "'); the store needs WAL. Is the file on a network filesystem?", null, false);
                    }
                }
                s.execute("PRAGMA synchronous = " + options.sqliteSync().name());
                s.execute("PRAGMA foreign_keys = ON");
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            return new SqliteConnectionSource(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open SQLite store " + file + ": " + e.getMessage(), e, false);
        }
    }

    @Override
    public Connection acquire() throws SQLException {
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new IllegalStateException("store is closed");
        }
        return connection;
    }

    @Override
    public StatementCache statements(Connection c) {
        assert c == connection && lock.isHeldByCurrentThread();
        return statements;
    }

    @Override
    public boolean cachesAcrossTransactions() {
        return true;
    }

    @Override
    public void release(Connection c) {
        assert c == connection && lock.isHeldByCurrentThread();
        lock.unlock();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                statements.closeAll();
                connection.close();
            }
        } catch (SQLException e) {
            throw new StoreException("closing SQLite store: " + e.getMessage(), e, false);
        } finally {
            lock.unlock();
        }
    }
}
