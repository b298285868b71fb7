package io.semel.processor.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Everything that differs between SQLite and PostgreSQL, in one place. The rest of the store's SQL
 * is shared: both accept {@code INSERT … ON CONFLICT (…) DO NOTHING / DO UPDATE … WHERE} (SQLite took
 * PostgreSQL's upsert syntax in 3.24), {@code RETURNING} (SQLite 3.35) and row-value {@code IN}.
 *
 * <table>
 *   <caption>Differences</caption>
 *   <tr><th>concern</th><th>SQLite</th><th>PostgreSQL</th></tr>
 *   <tr><td>begin</td><td>{@code BEGIN IMMEDIATE}: takes the database write lock up front</td>
 *       <td>{@code setAutoCommit(false)}, READ COMMITTED</td></tr>
 *   <tr><td>row lock</td><td>none needed (one writer)</td><td>{@code FOR UPDATE}</td></tr>
 *   <tr><td>worker claim</td><td>none needed</td><td>{@code FOR UPDATE SKIP LOCKED}</td></tr>
 *   <tr><td>outbox order</td><td>one writer: commit order = id order</td>
 *       <td>{@code pg_advisory_xact_lock} before the first outbox insert</td></tr>
 *   <tr><td>types</td><td>BLOB, INTEGER PRIMARY KEY AUTOINCREMENT</td>
 *       <td>BYTEA, BIGINT GENERATED ALWAYS AS IDENTITY</td></tr>
 *   <tr><td>retriable</td><td>SQLITE_BUSY (5), SQLITE_LOCKED (6) and their extended codes</td>
 *       <td>SQLSTATE 40001 serialization failure, 40P01 deadlock</td></tr>
 * </table>
 */
public enum Dialect {
    SQLITE {
        @Override
        void begin(Connection c) throws SQLException {
            // The connection stays in auto-commit mode so the driver never issues its own BEGIN; the
            // store brackets each transaction itself. IMMEDIATE takes the write lock now, so a reader
            // never has to upgrade to a writer mid-transaction (which could fail with BUSY).
            exec(c, "BEGIN IMMEDIATE");
        }

        @Override
        void commit(Connection c) throws SQLException {
            exec(c, "COMMIT");
        }

        @Override
        void rollback(Connection c) throws SQLException {
            exec(c, "ROLLBACK");
        }

        @Override
        String forUpdate() {
            return "";
        }

        @Override
        String forUpdateSkipLocked() {
            return "";
        }

        @Override
        void lockOutbox(Connection c) {
            // One writer at a time already: ids are handed out in commit order.
        }

        @Override
        void lockSchema(Connection c) {
            // BEGIN IMMEDIATE already excludes other writers, including other processes.
        }

        @Override
        boolean retriable(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException s) {
                    int primary = s.getErrorCode() & 0xff;
                    if (primary == 5 || primary == 6) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        boolean uniqueViolation(SQLException e) {
            // SQLITE_CONSTRAINT_UNIQUE (2067) / SQLITE_CONSTRAINT_PRIMARYKEY (1555); some driver paths
            // report only the primary SQLITE_CONSTRAINT (19) with the detail in the message.
            int code = e.getErrorCode();
            return code == 2067 || code == 1555 || (code == 19 && String.valueOf(e.getMessage()).contains("UNIQUE"));
        }

        @Override
        String blob() {
            return "BLOB";
        }

        @Override
        String identityPrimaryKey() {
            // AUTOINCREMENT: never reuse an id, even after retention deleted the highest row; the id is
            // the relay's sequence number and must never go back.
            return "INTEGER PRIMARY KEY AUTOINCREMENT";
        }
    },

    POSTGRES {
        @Override
        void begin(Connection c) throws SQLException {
            c.setAutoCommit(false);
        }

        @Override
        void commit(Connection c) throws SQLException {
            c.commit();
        }

        @Override
        void rollback(Connection c) throws SQLException {
            c.rollback();
        }

        @Override
        String forUpdate() {
            return " FOR UPDATE";
        }

        @Override
        String forUpdateSkipLocked() {
            return " FOR UPDATE SKIP LOCKED";
        }

        @Override
        void lockOutbox(Connection c) throws SQLException {
            advisoryLock(c, OUTBOX_LOCK_KEY);
        }

        @Override
        void lockSchema(Connection c) throws SQLException {
            advisoryLock(c, SCHEMA_LOCK_KEY);
        }

        @Override
        boolean retriable(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
                    return true;
                }
            }
            return false;
        }

        @Override
        boolean uniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        String blob() {
            return "BYTEA";
        }

        @Override
        String identityPrimaryKey() {
            return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
        }
    };

    /** Advisory lock key serializing outbox-inserting transactions ("semel-ob" in ASCII). */
    static final long OUTBOX_LOCK_KEY = 0x73656d656c2d6f62L;
    /** Advisory lock key serializing schema migrations ("semel-sc" in ASCII). */
    static final long SCHEMA_LOCK_KEY = 0x73656d656c2d7363L;

    abstract void begin(Connection c) throws SQLException;

    abstract void commit(Connection c) throws SQLException;

    abstract void rollback(Connection c) throws SQLException;

    /** Suffix for a row-locking read. */
    abstract String forUpdate();

    /** Suffix for a worker's claiming read that skips rows other workers hold. */
    abstract String forUpdateSkipLocked();

    /** Called before a transaction's first outbox insert; held until the transaction ends. */
    abstract void lockOutbox(Connection c) throws SQLException;

    /** Called first in the migration transaction; held until it ends. */
    abstract void lockSchema(Connection c) throws SQLException;

    /** Whether re-running the whole transaction may succeed (contention, not a bug or an outage). */
    abstract boolean retriable(SQLException e);

    abstract boolean uniqueViolation(SQLException e);

    abstract String blob();

    abstract String identityPrimaryKey();

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void advisoryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }
}
