package io.semel.processor;

import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The tests' application: accounts whose balance a NON-idempotent handler increments
 * ({@code UPDATE accounts SET balance = balance + amt}), so any double application shows in the sums.
 * Message: key = account id, value = amount in decimal.
 */
final class Bank {
    static final int ACCOUNTS = 5;

    private Bank() {
    }

    static void createTables(JdbcStore store) throws HandlerException {
        store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS accounts (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)");
                st.executeUpdate("CREATE TABLE IF NOT EXISTS s1 (msg_id VARCHAR(255) PRIMARY KEY)");
                st.executeUpdate("CREATE TABLE IF NOT EXISTS s2 (msg_id VARCHAR(255) PRIMARY KEY)");
            }
            for (int i = 0; i < ACCOUNTS; i++) {
                try (PreparedStatement ps = tx.connection().prepareStatement(
                        "INSERT INTO accounts (id, balance) VALUES (?, 0) ON CONFLICT (id) DO NOTHING")) {
                    ps.setString(1, account(i));
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    static String account(int i) {
        return "acct-" + i;
    }

    /** The increment handler. */
    static final Handler INCREMENT = (m, tx) -> increment(tx.connection(), m);

    static void increment(Connection c, ProcessorMessage m) throws SQLException {
        long amount = Long.parseLong(new String(m.value(), StandardCharsets.UTF_8));
        try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            ps.setLong(1, amount);
            ps.setString(2, new String(m.key(), StandardCharsets.UTF_8));
            if (ps.executeUpdate() != 1) {
                throw new SQLException("no account " + new String(m.key(), StandardCharsets.UTF_8));
            }
        }
    }

    static Map<String, Long> balances(JdbcStore store) throws HandlerException {
        return store.inTransaction(tx -> {
            Map<String, Long> out = new HashMap<>();
            try (Statement st = tx.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, balance FROM accounts")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    static long count(JdbcStore store, String table) throws HandlerException {
        return store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Inserts {@code id} into the step table {@code table} ({@code s1} or {@code s2}). */
    static void insert(ProcessorTransaction tx, String table, String id) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO " + table + " (msg_id) VALUES (?)")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
