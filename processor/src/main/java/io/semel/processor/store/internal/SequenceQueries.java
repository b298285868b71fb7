package io.semel.processor.store.internal;

import io.semel.processor.store.ProcessedOffsets;
import io.semel.processor.store.SequencePosition;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The position rows as sequence dedup reads and writes them (columns {@code seq_watermark},
 * {@code seq_ranges}, {@code seq_inbox_below}, schema version 4). Either one read of all of a topic's
 * partitions in the batch, locked, and one JDBC batch of updates (two round trips per transaction
 * whatever the batch size), or, when the caller knows the rows, one JDBC batch of updates conditional on
 * the rows being what it knows (one round trip). Stateless.
 *
 * <p>A row whose {@code seq_watermark} is NULL was written without sequence state (by a store before
 * version 4): its {@code next_offset} becomes both the watermark and the inbox boundary, so every
 * offset below it is still decided by the inbox rows written back then.
 */
final class SequenceQueries {
    /** Partitions per lock read; the statement text is cached per count. */
    static final int LOCK_PARTITIONS_MAX = 1_000;

    interface Prepare {
        PreparedStatement prepare(String sql) throws SQLException;
    }

    private SequenceQueries() {
    }

    static List<SequencePosition> lock(Prepare db, Dialect dialect, String consumer, String topic, int[] partitions,
            long nowMs) throws SQLException {
        int[] sorted = partitions.clone();
        Arrays.sort(sorted);
        List<SequencePosition> found = new ArrayList<>(sorted.length);
        for (int from = 0; from < sorted.length; from += LOCK_PARTITIONS_MAX) {
            int[] chunk = Arrays.copyOfRange(sorted, from, Math.min(sorted.length, from + LOCK_PARTITIONS_MAX));
            found.addAll(select(db, dialect, consumer, topic, chunk));
        }
        if (found.size() == sorted.length) {
            return found;
        }
        // Missing rows: create them empty, then lock them. On PostgreSQL a concurrent creator's row makes
        // this insert wait for its commit and do nothing; the read below then sees what it committed.
        int[] missing = Arrays.stream(sorted).filter(p -> found.stream().noneMatch(s -> s.partition() == p)).toArray();
        PreparedStatement ins = db.prepare("INSERT INTO semel_position (consumer, topic, partition, next_offset, "
                + "lease_epoch, updated_at_ms, seq_watermark, seq_inbox_below) VALUES (?, ?, ?, 0, 0, ?, 0, 0) "
                + "ON CONFLICT (consumer, topic, partition) DO NOTHING");
        for (int p : missing) {
            ins.setString(1, consumer);
            ins.setString(2, topic);
            ins.setInt(3, p);
            ins.setLong(4, nowMs);
            ins.addBatch();
        }
        ins.executeBatch();
        found.addAll(select(db, dialect, consumer, topic, missing));
        if (found.size() != sorted.length) {
            throw new IllegalStateException("position rows of " + consumer + "/" + topic + " partitions "
                    + Arrays.toString(missing) + " are missing right after they were created in this transaction");
        }
        found.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return found;
    }

    private static List<SequencePosition> select(Prepare db, Dialect dialect, String consumer, String topic,
            int[] partitions) throws SQLException {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < partitions.length; i++) {
            in.append(i == 0 ? "?" : ", ?");
        }
        // ORDER BY: the rows are locked in partition order, the same order in every transaction.
        PreparedStatement ps = db.prepare("SELECT partition, next_offset, lease_epoch, seq_watermark, seq_ranges, "
                + "seq_inbox_below FROM semel_position WHERE consumer = ? AND topic = ? AND partition IN (" + in
                + ") ORDER BY partition" + dialect.forUpdate());
        ps.setString(1, consumer);
        ps.setString(2, topic);
        for (int i = 0; i < partitions.length; i++) {
            ps.setInt(3 + i, partitions[i]);
        }
        List<SequencePosition> out = new ArrayList<>(partitions.length);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs, topic));
            }
        }
        return out;
    }

    /** Every position row of {@code consumer}, unlocked (status reads). */
    static List<SequencePosition> all(java.sql.Connection c, String consumer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset, lease_epoch, seq_watermark, "
                + "seq_ranges, seq_inbox_below, topic FROM semel_position WHERE consumer = ? ORDER BY topic, partition")) {
            ps.setString(1, consumer);
            List<SequencePosition> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs, rs.getString(7)));
                }
            }
            return out;
        }
    }

    private static SequencePosition read(ResultSet rs, String topic) throws SQLException {
        long next = rs.getLong(2);
        long watermark = rs.getLong(4);
        boolean untracked = rs.wasNull();
        byte[] ranges = rs.getBytes(5);
        long inboxBelow = rs.getLong(6);
        return untracked
                ? new SequencePosition(topic, rs.getInt(1), next, rs.getLong(3), ProcessedOffsets.below(next), next)
                : new SequencePosition(topic, rs.getInt(1), next, rs.getLong(3), ProcessedOffsets.decode(watermark, ranges),
                        inboxBelow);
    }

    static void save(Prepare db, String consumer, List<SequencePosition> positions, long nowMs) throws SQLException {
        if (positions.isEmpty()) {
            return;
        }
        PreparedStatement ps = db.prepare("UPDATE semel_position SET next_offset = ?, lease_epoch = ?, updated_at_ms = ?, "
                + "seq_watermark = ?, seq_ranges = ?, seq_inbox_below = ? WHERE consumer = ? AND topic = ? AND partition = ?");
        for (SequencePosition s : positions) {
            setRow(ps, s, nowMs);
            ps.setString(7, consumer);
            ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        for (int i = 0; i < counts.length; i++) {
            // SUCCESS_NO_INFO (-2) is a driver that does not count batched rows: accepted.
            if (counts[i] == 0) {
                SequencePosition s = positions.get(i);
                throw new IllegalStateException("position row " + consumer + "/" + s.topic() + "/" + s.partition()
                        + " vanished although this transaction locked it");
            }
        }
    }

    /**
     * Writes each of {@code updated} over its row only where the row still holds exactly the matching
     * {@code expected} (next offset, lease epoch, watermark, ranges, inbox boundary): one JDBC batch of
     * conditional updates, in the given order. Returns whether every row matched. A row that matched is
     * written and locked until the transaction ends; one that did not is left alone, and the caller must
     * roll back (the others were written).
     */
    static boolean saveIfUnchanged(Prepare db, String consumer, List<SequencePosition> expected,
            List<SequencePosition> updated, long nowMs) throws SQLException {
        if (expected.size() != updated.size()) {
            throw new IllegalArgumentException(expected.size() + " expected rows for " + updated.size() + " updated ones");
        }
        if (updated.isEmpty()) {
            return true;
        }
        // PostgreSQL: an UPDATE that finds the row locked waits for that transaction, then evaluates the
        // WHERE again on the version it committed; so a match is a match with the newest committed row.
        PreparedStatement ps = db.prepare("UPDATE semel_position SET next_offset = ?, lease_epoch = ?, updated_at_ms = ?, "
                + "seq_watermark = ?, seq_ranges = ?, seq_inbox_below = ? WHERE consumer = ? AND topic = ? AND partition = ? "
                + "AND next_offset = ? AND lease_epoch = ? AND seq_watermark = ? AND seq_ranges IS NOT DISTINCT FROM ? "
                + "AND seq_inbox_below = ?");
        for (int i = 0; i < updated.size(); i++) {
            SequencePosition was = expected.get(i);
            SequencePosition s = updated.get(i);
            if (!was.topic().equals(s.topic()) || was.partition() != s.partition()) {
                throw new IllegalArgumentException("expected row " + was.topic() + "/" + was.partition()
                        + " is not the updated row " + s.topic() + "/" + s.partition());
            }
            setRow(ps, s, nowMs);
            ps.setString(7, consumer);
            ps.setLong(10, was.nextOffset());
            ps.setLong(11, was.leaseEpoch());
            ps.setLong(12, was.processed().watermark());
            setRanges(ps, 13, was.processed().encodeRanges());
            ps.setLong(14, was.inboxBelow());
            ps.addBatch();
        }
        boolean all = true;
        for (int n : ps.executeBatch()) {
            // SUCCESS_NO_INFO (-2) would hide a mismatch: neither driver answers it for these updates.
            if (n == Statement.SUCCESS_NO_INFO) {
                throw new IllegalStateException("the JDBC driver did not count the conditional position updates; "
                        + "sequence dedup cannot tell whether the position rows were unchanged");
            }
            all &= n == 1;
        }
        return all;
    }

    /** Parameters 1-6 (the new row) and 8-9 (topic, partition) of the position updates. */
    private static void setRow(PreparedStatement ps, SequencePosition s, long nowMs) throws SQLException {
        ps.setLong(1, s.nextOffset());
        ps.setLong(2, s.leaseEpoch());
        ps.setLong(3, nowMs);
        ps.setLong(4, s.processed().watermark());
        setRanges(ps, 5, s.processed().encodeRanges());
        ps.setLong(6, s.inboxBelow());
        ps.setString(8, s.topic());
        ps.setInt(9, s.partition());
    }

    private static void setRanges(PreparedStatement ps, int index, byte[] ranges) throws SQLException {
        if (ranges == null) {
            ps.setNull(index, Types.BINARY);
        } else {
            ps.setBytes(index, ranges);
        }
    }
}
