package io.semel.processor.store.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Where a transaction's connection comes from and goes back to. Thread-safe. */
interface ConnectionSource extends AutoCloseable {
    /** A connection for the calling thread's exclusive use until {@link #release}. */
    Connection acquire() throws SQLException;

    void release(Connection c);

    /**
     * The statement cache for {@code c} while it is acquired: SQLite keeps one for the store's single
     * connection; a pool gives a fresh one per acquisition (closed by the store before release).
     */
    StatementCache statements(Connection c);

    /** Whether {@link #statements} outlives the transaction (else the store closes it before release). */
    boolean cachesAcrossTransactions();

    @Override
    void close();
}
