package io.semel.cli;

import io.semel.processor.Handler;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The {@code bench e2e} workload in the database: per message one ledger row (message number,
 * account, amount 1) and an upsert of the balance of one of {@link #ACCOUNTS} accounts, the same in
 * both modes. {@link Style#STATEMENTS} executes each statement as the handler goes (what a handler
 * written without thought for batching does); {@link Style#BATCHED} adds the rows to JDBC batches
 * run once per transaction. After each run {@link #check} counts what the database holds. Stateless.
 */
final class BenchLedger {
    static final int ACCOUNTS = 10_000;
    static final String LEDGER = "semel_bench_ledger";
    static final String BALANCE = "semel_bench_balance";
    private static final String INSERT_LEDGER = "INSERT INTO " + LEDGER + " (msg, account, amount) VALUES (?, ?, 1)";
    private static final String UPSERT_BALANCE = "INSERT INTO " + BALANCE + " (account, balance) VALUES (?, 1) "
            + "ON CONFLICT (account) DO UPDATE SET balance = " + BALANCE + ".balance + excluded.balance";

    /** How the handler issues its two statements. */
    enum Style {
        STATEMENTS, BATCHED
    }

    /** What the database holds after a run. */
    record Check(long ledgerRows, long distinctMessages, long balanceSum, long accountsOff) {
        boolean exactlyOnce(long count) {
            return ledgerRows == count && distinctMessages == count && balanceSum == count && accountsOff == 0;
        }

        String describe(long count) {
            return String.format("ledger %,d rows for %,d distinct messages, balances sum %,d, %d account(s) whose "
                    + "balance differs from its ledger", ledgerRows, distinctMessages, balanceSum, accountsOff)
                    + (exactlyOnce(count) ? " (each message applied once)"
                            : " (" + (ledgerRows - distinctMessages) + " applied more than once, "
                                    + (count - distinctMessages) + " missing)");
        }
    }

    private BenchLedger() {
    }

    /** The account message {@code index} moves: spread over all accounts, many partitions per account. */
    static int account(int index) {
        return (int) ((index * 7_919L) % ACCOUNTS);
    }

    static void createTables(JdbcStore store) throws HandlerException {
        store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS " + LEDGER
                        + " (msg BIGINT NOT NULL, account INTEGER NOT NULL, amount BIGINT NOT NULL)");
                st.executeUpdate("CREATE TABLE IF NOT EXISTS " + BALANCE
                        + " (account INTEGER PRIMARY KEY, balance BIGINT NOT NULL)");
            }
            return null;
        });
    }

    static void reset(JdbcStore store) throws HandlerException {
        store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("DELETE FROM " + LEDGER);
                st.executeUpdate("DELETE FROM " + BALANCE);
            }
            return null;
        });
    }

    /** The exactly-once processor's handler. */
    static Handler handler(Style style) {
        if (style == Style.BATCHED) {
            return (m, tx) -> {
                int index = BenchE2eCommand.indexOf(m.value());
                PreparedStatement ledger = tx.batch(INSERT_LEDGER);
                ledger.setLong(1, index);
                ledger.setInt(2, account(index));
                ledger.addBatch();
                PreparedStatement balance = tx.batch(UPSERT_BALANCE);
                balance.setInt(1, account(index));
                balance.addBatch();
            };
        }
        return (m, tx) -> applyOne(tx.connection(), BenchE2eCommand.indexOf(m.value()));
    }

    /** The at-least-once loop's transaction body: the same statements for a polled batch. */
    static void apply(Connection c, List<Integer> indexes, Style style) throws SQLException {
        if (style == Style.STATEMENTS) {
            for (int index : indexes) {
                applyOne(c, index);
            }
            return;
        }
        try (PreparedStatement ledger = c.prepareStatement(INSERT_LEDGER);
                PreparedStatement balance = c.prepareStatement(UPSERT_BALANCE)) {
            for (int index : indexes) {
                ledger.setLong(1, index);
                ledger.setInt(2, account(index));
                ledger.addBatch();
                balance.setInt(1, account(index));
                balance.addBatch();
            }
            ledger.executeBatch();
            balance.executeBatch();
        }
    }

    private static void applyOne(Connection c, int index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_LEDGER)) {
            ps.setLong(1, index);
            ps.setInt(2, account(index));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_BALANCE)) {
            ps.setInt(1, account(index));
            ps.executeUpdate();
        }
    }

    static Check check(JdbcStore store) throws HandlerException {
        return store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                long rows;
                long distinct;
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT msg) FROM " + LEDGER)) {
                    rs.next();
                    rows = rs.getLong(1);
                    distinct = rs.getLong(2);
                }
                long sum;
                try (ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM " + BALANCE)) {
                    rs.next();
                    sum = rs.getLong(1);
                }
                long off;
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + BALANCE + " b LEFT JOIN (SELECT account, "
                        + "SUM(amount) AS s FROM " + LEDGER + " GROUP BY account) l ON l.account = b.account "
                        + "WHERE b.balance <> COALESCE(l.s, 0)")) {
                    rs.next();
                    off = rs.getLong(1);
                }
                return new Check(rows, distinct, sum, off);
            }
        });
    }
}
