package io.semel.processor.store.internal;

import io.semel.processor.store.OutboxAssignment;
import io.semel.processor.store.RelaySequence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The relay's assignment statements (schema v2). Each runs inside a short store transaction of its
 * own. Every check that fails throws {@link IllegalStateException}, which rolls the whole assignment
 * back: a half-assigned batch never commits.
 */
final class RelayQueries {
    private record Key(String topic, int partition) {
    }

    private RelayQueries() {
    }

    /**
     * Stores the assignments and moves each partition's counter past them. Per partition the
     * sequences must continue the stored counter without a gap or a repeat, and each row must exist,
     * have the given topic, and be unassigned and unsent.
     */
    static void assignOutbox(Connection c, String relayName, List<OutboxAssignment> assignments, long nowMs)
            throws SQLException {
        Map<Key, List<OutboxAssignment>> byPartition = new LinkedHashMap<>();
        for (OutboxAssignment a : assignments) {
            byPartition.computeIfAbsent(new Key(a.topic(), a.partition()), k -> new ArrayList<>()).add(a);
        }
        for (Map.Entry<Key, List<OutboxAssignment>> e : byPartition.entrySet()) {
            advanceCounter(c, relayName, e.getKey(), e.getValue(), nowMs);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_outbox SET partition = ?, sequence = ? "
                + "WHERE id = ? AND topic = ? AND sequence IS NULL AND sent_at_ms IS NULL")) {
            for (OutboxAssignment a : assignments) {
                ps.setInt(1, a.partition());
                ps.setLong(2, a.sequence());
                ps.setLong(3, a.id());
                ps.setString(4, a.topic());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("cannot assign outbox row " + a.id() + " to " + a.topic() + "-"
                            + a.partition() + " sequence " + a.sequence() + ": no unsent, unassigned row with that id "
                            + "and topic (already assigned by another relay instance, sent, or deleted); nothing "
                            + "was assigned");
                }
            }
        }
    }

    private static void advanceCounter(Connection c, String relayName, Key key, List<OutboxAssignment> run, long nowMs)
            throws SQLException {
        long first = run.get(0).sequence();
        for (int i = 1; i < run.size(); i++) {
            if (run.get(i).sequence() != first + i) {
                throw new IllegalStateException("sequences for " + key.topic() + "-" + key.partition() + " must be "
                        + "contiguous in an assignment: row " + run.get(i).id() + " has " + run.get(i).sequence()
                        + ", expected " + (first + i) + "; nothing was assigned");
            }
        }
        long next = first + run.size();
        String storedRelay = null;
        long storedNext = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT relay_name, next_sequence FROM semel_relay_sequence "
                + "WHERE topic = ? AND partition = ?")) {
            ps.setString(1, key.topic());
            ps.setInt(2, key.partition());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    storedRelay = rs.getString(1);
                    storedNext = rs.getLong(2);
                }
            }
        }
        if (storedRelay != null && !storedRelay.equals(relayName)) {
            throw new IllegalStateException("relay '" + relayName + "' cannot assign sequences on " + key.topic() + "-"
                    + key.partition() + ": relay '" + storedRelay + "' owns them (one relay per store); nothing "
                    + "was assigned");
        }
        if (first != storedNext) {
            throw new IllegalStateException("relay '" + relayName + "' assigns " + key.topic() + "-" + key.partition()
                    + " sequences from " + first + " but the stored next sequence is " + storedNext
                    + " (another relay instance assigning concurrently?); nothing was assigned");
        }
        if (storedRelay == null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO semel_relay_sequence "
                    + "(topic, partition, relay_name, next_sequence, updated_at_ms) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, key.topic());
                ps.setInt(2, key.partition());
                ps.setString(3, relayName);
                ps.setLong(4, next);
                ps.setLong(5, nowMs);
                ps.executeUpdate();
            }
            return;
        }
        // Conditional on the value read: on PostgreSQL a concurrent assigner changes nothing here.
        try (PreparedStatement ps = c.prepareStatement("UPDATE semel_relay_sequence SET next_sequence = ?, "
                + "updated_at_ms = ? WHERE topic = ? AND partition = ? AND next_sequence = ?")) {
            ps.setLong(1, next);
            ps.setLong(2, nowMs);
            ps.setString(3, key.topic());
            ps.setInt(4, key.partition());
            ps.setLong(5, storedNext);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("the next sequence of " + key.topic() + "-" + key.partition()
                        + " moved from " + storedNext + " during the assignment (another relay instance?); "
                        + "nothing was assigned");
            }
        }
    }

    static List<RelaySequence> relaySequences(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT s.topic, s.partition, s.relay_name, s.next_sequence, "
                + "(SELECT MAX(o.sequence) FROM semel_outbox o WHERE o.topic = s.topic AND o.partition = s.partition "
                + "AND o.sent_at_ms IS NOT NULL) FROM semel_relay_sequence s ORDER BY s.topic, s.partition");
                ResultSet rs = ps.executeQuery()) {
            List<RelaySequence> out = new ArrayList<>();
            while (rs.next()) {
                long highestSent = rs.getLong(5);
                if (rs.wasNull()) {
                    highestSent = -1;
                }
                out.add(new RelaySequence(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4), highestSent));
            }
            return out;
        }
    }
}
