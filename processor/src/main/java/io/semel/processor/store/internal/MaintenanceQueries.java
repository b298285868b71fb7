package io.semel.processor.store.internal;

import io.semel.processor.store.InboxCounts;
import io.semel.processor.store.InboxRow;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.OutboxBacklog;
import io.semel.processor.store.OutboxRow;
import io.semel.processor.store.RelayProducer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Relay, retention and status statements. Each runs inside a short store transaction of its own;
 * none is called from a handler's transaction.
 */
final class MaintenanceQueries {
    private MaintenanceQueries() {
    }

    static List<OutboxRow> pendingOutbox(Connection c, long afterId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.OUTBOX_COLUMNS + " FROM semel_outbox "
                + "WHERE id > ? AND sent_at_ms IS NULL AND failed_at_ms IS NULL ORDER BY id LIMIT ?")) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            List<OutboxRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(Rows.outbox(rs));
                }
            }
            return rows;
        }
    }

    static int markSent(Connection c, List<Long> ids, long nowMs) throws SQLException {
        int changed = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE semel_outbox SET sent_at_ms = ? WHERE id = ? AND sent_at_ms IS NULL")) {
            for (long id : ids) {
                ps.setLong(1, nowMs);
                ps.setLong(2, id);
                ps.addBatch();
            }
            for (int n : ps.executeBatch()) {
                changed += Math.max(n, 0);
            }
        }
        return changed;
    }

    static long lastOutboxId(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM semel_outbox");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int markSentThrough(Connection c, long afterId, long lastId, long nowMs) throws SQLException {
        // The same rows pendingOutbox returns for that id range (unsent and unfailed), by the primary key's range.
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_outbox SET sent_at_ms = ? "
                + "WHERE id > ? AND id <= ? AND sent_at_ms IS NULL AND failed_at_ms IS NULL")) {
            ps.setLong(1, nowMs);
            ps.setLong(2, afterId);
            ps.setLong(3, lastId);
            return ps.executeUpdate();
        }
    }

    static Optional<RelayProducer> loadProducer(Connection c, String relayName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT producer_id, epoch, next_sequence FROM semel_producer WHERE relay_name = ?")) {
            ps.setString(1, relayName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new RelayProducer(relayName, rs.getLong(1), rs.getInt(2), rs.getLong(3)))
                        : Optional.empty();
            }
        }
    }

    static void saveProducer(Connection c, RelayProducer p, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO semel_producer "
                + "(relay_name, producer_id, epoch, next_sequence, updated_at_ms) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (relay_name) DO UPDATE SET producer_id = excluded.producer_id, "
                + "epoch = excluded.epoch, next_sequence = excluded.next_sequence, "
                + "updated_at_ms = excluded.updated_at_ms")) {
            ps.setString(1, p.relayName());
            ps.setLong(2, p.producerId());
            ps.setInt(3, p.epoch());
            ps.setLong(4, p.nextSequence());
            ps.setLong(5, nowMs);
            ps.executeUpdate();
        }
    }

    static int deleteProcessedInboxBefore(Connection c, long cutoffMs, int limit) throws SQLException {
        // Bounded: a subquery with LIMIT (neither database's DELETE takes LIMIT portably).
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM semel_inbox WHERE (consumer, message_id) IN "
                + "(SELECT consumer, message_id FROM semel_inbox WHERE status = ? AND processed_at_ms < ? LIMIT ?)")) {
            ps.setString(1, InboxStatus.PROCESSED.name());
            ps.setLong(2, cutoffMs);
            ps.setInt(3, limit);
            return ps.executeUpdate();
        }
    }

    static int deleteSentOutboxBefore(Connection c, long cutoffMs, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM semel_outbox WHERE id IN "
                + "(SELECT id FROM semel_outbox WHERE sent_at_ms IS NOT NULL AND sent_at_ms < ? ORDER BY id LIMIT ?)")) {
            ps.setLong(1, cutoffMs);
            ps.setInt(2, limit);
            return ps.executeUpdate();
        }
    }

    static InboxCounts inboxCounts(Connection c, String consumer) throws SQLException {
        long received = 0;
        long processed = 0;
        long failed = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT status, COUNT(*) FROM semel_inbox WHERE consumer = ? GROUP BY status")) {
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (InboxStatus.valueOf(rs.getString(1))) {
                        case RECEIVED -> received = rs.getLong(2);
                        case PROCESSED -> processed = rs.getLong(2);
                        case FAILED -> failed = rs.getLong(2);
                        default -> throw new IllegalStateException("unexpected stored status " + rs.getString(1));
                    }
                }
            }
        }
        return new InboxCounts(received, processed, failed);
    }

    static OutboxBacklog outboxBacklog(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*), MIN(created_at_ms) FROM semel_outbox WHERE sent_at_ms IS NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long unsent = rs.getLong(1);
            long oldest = rs.getLong(2);
            return new OutboxBacklog(unsent, rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(oldest));
        }
    }

    static List<InboxRow> inboxPage(Connection c, String consumer, InboxStatus status, String afterMessageId,
            int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.INBOX_COLUMNS + " FROM semel_inbox "
                + "WHERE consumer = ? AND status = ? AND message_id > ? ORDER BY message_id LIMIT ?")) {
            ps.setString(1, consumer);
            ps.setString(2, status.name());
            ps.setString(3, afterMessageId);
            ps.setInt(4, limit);
            List<InboxRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(Rows.inbox(rs));
                }
            }
            return rows;
        }
    }
}
