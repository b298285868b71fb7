package io.semel.verify.run;

import io.semel.processor.store.HandlerException;
import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.AccountState;
import io.semel.verify.history.EventValue;
import io.semel.verify.run.child.Accounts;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The harness's side of the processor's store: creating the workload tables and accounts before the run,
 * and reading balances and applied ids after it (the history's {@code read-state}). The child opens the same
 * database with the arguments from {@link #childArgs()}. Thread-safe as {@link JdbcStore} is.
 */
final class RunStore implements AutoCloseable {
    private final List<String> childArgs;
    private final JdbcStore store;
    /** PostgreSQL runs each statement of a READ COMMITTED transaction on a new snapshot; a read needs one. */
    private final boolean needsSnapshotIsolation;

    private RunStore(List<String> childArgs, JdbcStore store, boolean needsSnapshotIsolation) {
        this.childArgs = List.copyOf(childArgs);
        this.store = store;
        this.needsSnapshotIsolation = needsSnapshotIsolation;
    }

    static RunStore sqlite(Path file) {
        // SQLite transactions begin IMMEDIATE (the write lock): every statement sees the same database.
        return new RunStore(List.of("--store", "sqlite", "--store-path", file.toString()), JdbcStore.sqlite(file),
                false);
    }

    static RunStore postgres(String url, String user) {
        List<String> args = new ArrayList<>(List.of("--store", "postgres", "--jdbc-url", url));
        if (user != null) {
            args.addAll(List.of("--jdbc-user", user));
        }
        return new RunStore(args, JdbcStore.postgres(url, user, user == null ? null : "", 2), true);
    }

    List<String> childArgs() {
        return childArgs;
    }

    /** Creates the tables and every account at balance 0. */
    void prepare(int accounts) throws java.io.IOException {
        try {
            prepareTables(accounts);
        } catch (HandlerException e) {
            throw new java.io.IOException("cannot prepare the store: " + e.getMessage(), e);
        }
    }

    private void prepareTables(int accounts) throws HandlerException {
        store.inTransaction(tx -> {
            try (Statement s = tx.connection().createStatement()) {
                s.execute(Accounts.CREATE_ACCOUNTS);
                s.execute(Accounts.CREATE_APPLIED);
            }
            try (PreparedStatement ins = tx.connection().prepareStatement(
                    "INSERT INTO verify_accounts (account, balance) VALUES (?, 0)")) {
                for (int i = 0; i < accounts; i++) {
                    ins.setString(1, String.format("a%02d", i));
                    ins.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Every applied id, once per row (a message applied twice is listed twice): the output check's P. */
    List<String> appliedIdRows() throws HandlerException {
        return store.inTransaction(tx -> {
            List<String> ids = new ArrayList<>();
            try (Statement s = tx.connection().createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM verify_applied")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    /** Outbox rows the relay has not marked sent yet. */
    long unsentOutboxRows() throws HandlerException {
        return store.inTransaction(tx -> {
            try (Statement s = tx.connection().createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM semel_outbox WHERE sent_at_ms IS NULL")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Distinct ids applied so far (for the quiet wait). */
    Set<String> appliedIds() throws HandlerException {
        return new HashSet<>(appliedIdRows());
    }

    /**
     * Balances, applied ids per account and the processor's stored positions for {@code topic} (consumer name
     * {@code consumer}; none for the consumers that keep no position), all from one snapshot of the store.
     *
     * @param isFinal whether this is the final phase's read or one taken while the workload runs
     */
    EventValue.ReadState readState(String topic, String consumer, boolean isFinal) throws HandlerException {
        return store.inTransaction(tx -> {
            Map<String, Long> balances = new TreeMap<>();
            Map<String, List<String>> applied = new TreeMap<>();
            Map<Integer, Long> positions = new TreeMap<>();
            try (Statement s = tx.connection().createStatement()) {
                if (needsSnapshotIsolation) {
                    s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                }
                try (ResultSet rs = s.executeQuery("SELECT account, balance FROM verify_accounts")) {
                    while (rs.next()) {
                        balances.put(rs.getString(1), rs.getLong(2));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT account, id FROM verify_applied")) {
                    while (rs.next()) {
                        applied.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            }
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "SELECT partition, next_offset FROM semel_position WHERE topic = ? AND consumer = ?")) {
                ps.setString(1, topic);
                ps.setString(2, consumer);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        positions.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            Map<String, AccountState> accounts = new TreeMap<>();
            balances.forEach((k, b) -> accounts.put(k, new AccountState(b, applied.getOrDefault(k, List.of()))));
            applied.forEach((k, ids) -> accounts.putIfAbsent(k, new AccountState(0, ids)));
            return isFinal ? new EventValue.ReadState(accounts, positions) : EventValue.ReadState.during(accounts, positions);
        });
    }

    @Override
    public void close() {
        store.close();
    }
}
