package io.semel.verify.run.child;

import io.semel.verify.run.AddMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The workload's tables in the processor's store and the one change a message makes. Both SQLite and
 * PostgreSQL accept this SQL. {@code verify_applied} has no key on purpose: a message applied twice leaves
 * two rows, which is how the checker sees a duplicated effect (multiset P).
 */
public final class Accounts {
    public static final String CREATE_ACCOUNTS =
            "CREATE TABLE IF NOT EXISTS verify_accounts (account VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)";
    public static final String CREATE_APPLIED =
            "CREATE TABLE IF NOT EXISTS verify_applied (account VARCHAR(64) NOT NULL, id VARCHAR(64) NOT NULL)";

    private Accounts() {
    }

    /**
     * Adds the amount and records the id, on the caller's transaction connection.
     *
     * @throws SQLException also when the account does not exist (the harness creates every account at 0)
     */
    public static void apply(Connection c, AddMessage m) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE verify_accounts SET balance = balance + ? WHERE account = ?")) {
            up.setLong(1, m.amt());
            up.setString(2, m.account());
            int rows = up.executeUpdate();
            if (rows != 1) {
                throw new SQLException("account " + m.account() + " of message " + m.id() + " matched " + rows
                        + " rows; the harness creates accounts a00.. before the run");
            }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO verify_applied (account, id) VALUES (?, ?)")) {
            ins.setString(1, m.account());
            ins.setString(2, m.id());
            ins.executeUpdate();
        }
    }
}
