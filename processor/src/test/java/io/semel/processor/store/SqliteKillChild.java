package io.semel.processor.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;

/**
 * Child JVM for {@link SqliteKillTest}: applies messages 1, 2, 3, … through the store, each in one
 * transaction of two user-table steps + inbox row + position + outbox row, and prints
 * {@code COMMITTED n} only after {@code inTransaction} returned. Runs until killed.
 */
public final class SqliteKillChild {
    private SqliteKillChild() {
    }

    public static void main(String[] args) throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(Path.of(args[0]))) {
            store.inTransaction(tx -> {
                try (Statement s = tx.connection().createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS account_entry (msg_id TEXT PRIMARY KEY, amount BIGINT NOT NULL)");
                    s.execute("CREATE TABLE IF NOT EXISTS account_audit (msg_id TEXT PRIMARY KEY, note TEXT NOT NULL)");
                }
                return null;
            });
            for (long n = 1;; n++) {
                long offset = n;
                String id = "m-" + n;
                store.inTransaction(tx -> {
                    try (PreparedStatement step1 = tx.connection().prepareStatement(
                            "INSERT INTO account_entry (msg_id, amount) VALUES (?, ?)")) {
                        step1.setString(1, id);
                        step1.setLong(2, offset);
                        step1.executeUpdate();
                    }
                    tx.insertInbox("billing", InboxEntry.of(id, "orders", 0, offset, offset), InboxStatus.PROCESSED);
                    tx.advancePosition("billing", "orders", 0, offset + 1, 1);
                    tx.enqueueOutbox(new OutboxMessage("invoices", null, id.getBytes(StandardCharsets.UTF_8), List.of(),
                            id + "/0", offset));
                    try (PreparedStatement step2 = tx.connection().prepareStatement(
                            "INSERT INTO account_audit (msg_id, note) VALUES (?, ?)")) {
                        step2.setString(1, id);
                        step2.setString(2, "applied");
                        step2.executeUpdate();
                    }
                    return null;
                });
                System.out.println("COMMITTED " + n);
                System.out.flush();
            }
        }
    }
}
