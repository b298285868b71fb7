package io.semel.processor.store.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Where a transaction's connection comes from and goes back to. Thread-safe. */
interface ConnectionSource extends AutoCloseable {
    /** A connection for the calling thread's exclusive use until {@link #release}. */
    Connection acquire() throws SQLException;

    void release(Connection c);

    @Override
    void close();
}
