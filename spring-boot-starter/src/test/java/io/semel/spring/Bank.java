package io.semel.spring;

import io.semel.processor.Handler;
import io.semel.processor.ProcessorMessage;
import io.semel.processor.ProcessorTransaction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The test application's domain: deposits "account:amount" add to a balance (not idempotent, so a
 * duplicate or a loss changes the result) and send a receipt through the outbox. Stateless helpers.
 */
final class Bank {
    static final String DEPOSITS = "deposits";
    static final String RECEIPTS = "receipts";

    private Bank() {
    }

    static void createSchema(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE IF NOT EXISTS accounts (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS audit_log (message_id VARCHAR(255) NOT NULL, body TEXT)");
        }
    }

    /** Applies one deposit on the transaction's connection and sends its receipt. */
    static void deposit(ProcessorMessage m, ProcessorTransaction tx) throws SQLException {
        String v = new String(m.value(), StandardCharsets.UTF_8);
        int colon = v.indexOf(':');
        String account = v.substring(0, colon);
        long amount = Long.parseLong(v.substring(colon + 1));
        try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO accounts (id, balance) VALUES (?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + excluded.balance")) {
            ps.setString(1, account);
            ps.setLong(2, amount);
            ps.executeUpdate();
        }
        tx.send(RECEIPTS, m.key(), ("receipt " + m.messageId()).getBytes(StandardCharsets.UTF_8));
    }

    /** n deposits over accounts a0..a(accounts-1), amounts 1..n (distinct, so sums tell duplicates apart). */
    static List<String> deposits(int from, int to, int accounts) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("a" + (i % accounts) + ":" + (i + 1));
        }
        return out;
    }

    static Map<String, Long> expected(List<String> deposits) {
        Map<String, Long> m = new HashMap<>();
        for (String d : deposits) {
            int colon = d.indexOf(':');
            m.merge(d.substring(0, colon), Long.parseLong(d.substring(colon + 1)), Long::sum);
        }
        return m;
    }

    static Map<String, Long> balances(DataSource ds) throws SQLException {
        Map<String, Long> m = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, balance FROM accounts")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getLong(2));
            }
        }
        return m;
    }

    static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A handler bean bound by the class-level annotation. */
    @SemelHandler(topic = "audit", group = "auditors")
    static final class AuditHandler implements Handler {
        @Override
        public void handle(ProcessorMessage m, ProcessorTransaction tx) throws SQLException {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "INSERT INTO audit_log (message_id, body) VALUES (?, ?)")) {
                ps.setString(1, m.messageId());
                ps.setString(2, new String(m.value(), StandardCharsets.UTF_8));
                ps.executeUpdate();
            }
        }
    }

    /** A bean with an annotated method. */
    static class Deposits {
        @SemelHandler(topic = DEPOSITS, group = "bank")
        void apply(ProcessorMessage m, ProcessorTransaction tx) throws SQLException {
            deposit(m, tx);
        }
    }
}
