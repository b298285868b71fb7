package io.semel.processor.store.internal;

import io.semel.processor.store.FailedOutboxRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements for outbox rows the broker refuses (schema v3): counting their attempts, marking them
 * FAILED and releasing the sequences they hold, listing them. Each runs inside the caller's store
 * transaction; a failed check throws {@link IllegalStateException} and rolls it all back.
 * Stateless.
 */
final class OutboxFailures {
    private OutboxFailures() {
    }

    static int record(Connection c, long id, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_outbox SET attempts = attempts + 1, last_error = ? "
                + "WHERE id = ? AND sent_at_ms IS NULL AND failed_at_ms IS NULL RETURNING attempts")) {
            ps.setString(1, error);
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    static void fail(Connection c, String relayName, long id, String error, long nowMs) throws SQLException {
        String topic;
        Integer partition = null;
        long sequence = -1;
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, partition, sequence FROM semel_outbox "
                + "WHERE id = ? AND sent_at_ms IS NULL AND failed_at_ms IS NULL")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("outbox row " + id + " is not an unsent, unfailed row; nothing "
                            + "was marked FAILED");
                }
                topic = rs.getString(1);
                long p = rs.getLong(2);
                if (!rs.wasNull()) {
                    partition = (int) p;
                    sequence = rs.getLong(3);
                }
            }
        }
        if (partition != null) {
            release(c, relayName, topic, partition, sequence, nowMs);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_outbox SET failed_at_ms = ?, last_error = ? "
                + "WHERE id = ?")) {
            ps.setLong(1, nowMs);
            ps.setString(2, error);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    /**
     * Sequence {@code s} and every later unsent assignment of the partition go back to the pool,
     * and the counter to {@code s}: the rows behind the failed one are then assigned again, in id
     * order, from {@code s}, so the broker sees no gap.
     */
    private static void release(Connection c, String relayName, String topic, int partition, long s, long nowMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM semel_outbox WHERE topic = ? AND "
                + "partition = ? AND sequence > ? AND sent_at_ms IS NOT NULL")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, s);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw new IllegalStateException(topic + "-" + partition + " has rows marked sent after sequence "
                            + s + ", so the broker holds " + s + "; it cannot be released");
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_outbox SET partition = NULL, sequence = NULL "
                + "WHERE topic = ? AND partition = ? AND sequence >= ? AND sent_at_ms IS NULL")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, s);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_relay_sequence SET next_sequence = ?, "
                + "updated_at_ms = ? WHERE topic = ? AND partition = ? AND relay_name = ? AND next_sequence > ?")) {
            ps.setLong(1, s);
            ps.setLong(2, nowMs);
            ps.setString(3, topic);
            ps.setInt(4, partition);
            ps.setString(5, relayName);
            ps.setLong(6, s);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("the sequence counter of " + topic + "-" + partition + " is not owned by "
                        + "relay '" + relayName + "' or not past " + s + "; nothing was marked FAILED");
            }
        }
    }

    static List<FailedOutboxRow> failed(Connection c, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, topic, message_id, attempts, last_error, failed_at_ms "
                + "FROM semel_outbox WHERE failed_at_ms IS NOT NULL ORDER BY id LIMIT ?")) {
            ps.setInt(1, limit);
            List<FailedOutboxRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new FailedOutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getLong(6)));
                }
            }
            return out;
        }
    }
}
