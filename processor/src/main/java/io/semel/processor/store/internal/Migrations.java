package io.semel.processor.store.internal;

import io.semel.processor.store.StoreSchemaException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/**
 * The schema as an ordered list of migrations, applied at open in one transaction. Version {@code n}
 * is the n-th entry; a migration is never edited once released, only followed by a new one.
 * {@code semel_schema_version} holds one row per applied version.
 */
final class Migrations {

    record Migration(int version, String description, Function<Dialect, List<String>> statements) {
    }

    static final List<Migration> ALL = List.of(
            new Migration(1, "inbox, position, outbox and relay producer tables", Migrations::v1),
            new Migration(2, "outbox partition/sequence assignment and relay sequence counters", Migrations::v2),
            new Migration(3, "FAILED inbox rows and failed outbox rows, with their last error", Migrations::v3),
            new Migration(4, "sequence dedup state in the position rows", Migrations::v4));

    static {
        for (int i = 0; i < ALL.size(); i++) {
            if (ALL.get(i).version() != i + 1) {
                throw new AssertionError("migration versions must be 1..n in order: " + ALL);
            }
        }
    }

    private Migrations() {
    }

    static int latestVersion() {
        return ALL.size();
    }

    /**
     * Brings the schema to {@link #latestVersion()} inside the caller's transaction and returns the
     * version found before. Refuses a schema newer than this code.
     */
    static int migrate(Connection c, Dialect dialect, long nowMs) throws SQLException {
        dialect.lockSchema(c);
        Dialect.exec(c, "CREATE TABLE IF NOT EXISTS semel_schema_version (version INTEGER PRIMARY KEY, "
                + "description TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)");
        int current = currentVersion(c);
        if (current > latestVersion()) {
            throw new StoreSchemaException("store schema is at version " + current + " but this Semel knows "
                    + "versions up to " + latestVersion() + "; it was written by a newer Semel. Upgrade Semel, or "
                    + "point it at another database; the store was not changed", null);
        }
        for (Migration m : ALL.subList(current, ALL.size())) {
            for (String sql : m.statements().apply(dialect)) {
                Dialect.exec(c, sql);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO semel_schema_version (version, description, applied_at_ms) VALUES (?, ?, ?)")) {
                ps.setInt(1, m.version());
                ps.setString(2, m.description());
                ps.setLong(3, nowMs);
                ps.executeUpdate();
            }
        }
        return current;
    }

    static int currentVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM semel_schema_version");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1); // NULL (empty table) reads as 0
        }
    }

    private static List<String> v1(Dialect d) {
        String blob = d.blob();
        return List.of(
                "CREATE TABLE semel_inbox ("
                        + "consumer TEXT NOT NULL, message_id TEXT NOT NULL, topic TEXT NOT NULL, "
                        + "partition INTEGER NOT NULL, msg_offset BIGINT NOT NULL, "
                        + "status TEXT NOT NULL CHECK (status IN ('RECEIVED', 'PROCESSED')), "
                        + "attempts INTEGER NOT NULL DEFAULT 0, received_at_ms BIGINT NOT NULL, "
                        + "processed_at_ms BIGINT, msg_key " + blob + ", msg_value " + blob + ", headers " + blob + ", "
                        + "PRIMARY KEY (consumer, message_id))",
                // receivedBatch: a consumer's RECEIVED rows, oldest first.
                "CREATE INDEX semel_inbox_status_received ON semel_inbox (consumer, status, received_at_ms)",
                // retention: PROCESSED rows by age.
                "CREATE INDEX semel_inbox_processed_at ON semel_inbox (processed_at_ms)",
                "CREATE TABLE semel_position ("
                        + "consumer TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, "
                        + "next_offset BIGINT NOT NULL, lease_epoch BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL, "
                        + "PRIMARY KEY (consumer, topic, partition))",
                "CREATE TABLE semel_outbox ("
                        + "id " + d.identityPrimaryKey() + ", topic TEXT NOT NULL, msg_key " + blob + ", "
                        + "msg_value " + blob + ", headers " + blob + ", message_id TEXT NOT NULL UNIQUE, "
                        + "created_at_ms BIGINT NOT NULL, sent_at_ms BIGINT)",
                // retention: sent rows by age.
                "CREATE INDEX semel_outbox_sent_at ON semel_outbox (sent_at_ms)",
                "CREATE TABLE semel_producer ("
                        + "relay_name TEXT NOT NULL PRIMARY KEY, producer_id BIGINT NOT NULL, epoch INTEGER NOT NULL, "
                        + "next_sequence BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL)");
    }

    /**
     * The relay assigns each outbox row a partition and a per-(topic, partition) sequence and stores
     * them before sending (row ids have gaps, broker sequences may not). The unique index makes a
     * sequence assigned twice in one partition impossible; NULLs (unassigned rows) do not collide in
     * either database. {@code semel_relay_sequence} keeps each partition's next sequence so that
     * outbox retention can never make a sequence be handed out again.
     */
    /**
     * Poison work gets a terminal state. The inbox's status CHECK gains FAILED, which neither
     * database can alter in place portably, so the table is rebuilt (same columns plus
     * {@code last_error}; its indexes recreated). Outbox rows get {@code attempts}, {@code last_error}
     * and {@code failed_at_ms} (set = FAILED: the relay no longer sends the row).
     */
    private static List<String> v3(Dialect d) {
        String blob = d.blob();
        String columns = "consumer, message_id, topic, partition, msg_offset, status, attempts, received_at_ms, "
                + "processed_at_ms, msg_key, msg_value, headers";
        return List.of(
                "CREATE TABLE semel_inbox_v3 ("
                        + "consumer TEXT NOT NULL, message_id TEXT NOT NULL, topic TEXT NOT NULL, "
                        + "partition INTEGER NOT NULL, msg_offset BIGINT NOT NULL, "
                        + "status TEXT NOT NULL CHECK (status IN ('RECEIVED', 'PROCESSED', 'FAILED')), "
                        + "attempts INTEGER NOT NULL DEFAULT 0, received_at_ms BIGINT NOT NULL, "
                        + "processed_at_ms BIGINT, msg_key " + blob + ", msg_value " + blob + ", headers " + blob + ", "
                        + "last_error TEXT, PRIMARY KEY (consumer, message_id))",
                "INSERT INTO semel_inbox_v3 (" + columns + ") SELECT " + columns + " FROM semel_inbox",
                "DROP TABLE semel_inbox",
                "ALTER TABLE semel_inbox_v3 RENAME TO semel_inbox",
                "CREATE INDEX semel_inbox_status_received ON semel_inbox (consumer, status, received_at_ms)",
                "CREATE INDEX semel_inbox_processed_at ON semel_inbox (processed_at_ms)",
                "ALTER TABLE semel_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE semel_outbox ADD COLUMN last_error TEXT",
                "ALTER TABLE semel_outbox ADD COLUMN failed_at_ms BIGINT");
    }

    private static List<String> v2(Dialect d) {
        return List.of(
                "ALTER TABLE semel_outbox ADD COLUMN partition INTEGER",
                "ALTER TABLE semel_outbox ADD COLUMN sequence BIGINT",
                "CREATE UNIQUE INDEX semel_outbox_sequence ON semel_outbox (topic, partition, sequence)",
                "CREATE TABLE semel_relay_sequence ("
                        + "topic TEXT NOT NULL, partition INTEGER NOT NULL, relay_name TEXT NOT NULL, "
                        + "next_sequence BIGINT NOT NULL CHECK (next_sequence >= 0), updated_at_ms BIGINT NOT NULL, "
                        + "PRIMARY KEY (topic, partition))");
    }

    /**
     * Sequence dedup ({@code io.semel.processor.store.ProcessedOffsets}): per position row a watermark
     * (every offset below processed), the ranges of processed offsets above it, and the offset below
     * which the inbox decides instead (rows written before this version, where only inbox rows say what
     * was processed). NULL watermark: no sequence state yet.
     */
    private static List<String> v4(Dialect d) {
        return List.of(
                "ALTER TABLE semel_position ADD COLUMN seq_watermark BIGINT",
                "ALTER TABLE semel_position ADD COLUMN seq_ranges " + d.blob(),
                "ALTER TABLE semel_position ADD COLUMN seq_inbox_below BIGINT");
    }
}
