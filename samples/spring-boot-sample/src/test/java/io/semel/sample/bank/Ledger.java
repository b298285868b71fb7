package io.semel.sample.bank;

import io.semel.client.Producer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Test-side bookkeeping: deposits with distinct amounts (1..n, so a duplicate or a loss changes a
 * balance), the balances they must produce, and reads of the application's tables. Stateless.
 */
final class Ledger {
    private Ledger() {
    }

    static List<String> deposits(int from, int to, int accounts) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("acct-" + (i % accounts) + ":" + (i + 1));
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

    /** Sends each deposit keyed by its account and waits for every confirmation. */
    static void send(Producer p, List<String> deposits) throws Exception {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String d : deposits) {
            sent.add(p.send(DepositHandler.DEPOSITS, d.substring(0, d.indexOf(':')).getBytes(StandardCharsets.UTF_8),
                    d.getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
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
}
