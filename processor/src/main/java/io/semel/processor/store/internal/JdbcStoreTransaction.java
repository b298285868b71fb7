package io.semel.processor.store.internal;

import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxRow;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.Position;
import io.semel.processor.store.PositionUpdate;
import io.semel.processor.store.SequencePosition;
import io.semel.processor.store.StoreLimits;
import io.semel.processor.store.StoreTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One open transaction. Not thread-safe: used by the thread running the work, then discarded. */
final class JdbcStoreTransaction implements StoreTransaction {
    private final Connection connection;
    private final Dialect dialect;
    private final InstantSource clock;
    private final StatementCache statements;
    private final BatchStatements batches = new BatchStatements();
    private final OutboxInserts outbox = new OutboxInserts();
    private Connection guarded;
    private boolean active = true;
    private boolean rollbackOnly;
    private boolean outboxLocked;

    JdbcStoreTransaction(Connection connection, Dialect dialect, InstantSource clock, StatementCache statements) {
        this.connection = connection;
        this.dialect = dialect;
        this.clock = clock;
        this.statements = statements;
    }

    /** The unguarded connection, for the store's own statements. */
    Connection rawConnection() {
        checkActive();
        return connection;
    }

    /** Ends the transaction's use; rows added to batch statements and never executed are dropped. */
    void end() {
        active = false;
        batches.discard();
        outbox.discard();
    }

    boolean hasPendingBatches() {
        return !batches.isEmpty() || !outbox.isEmpty();
    }

    boolean rollbackOnly() {
        return rollbackOnly;
    }

    /** Whether this transaction enqueued an outbox row (so its commit makes outbox rows visible). */
    boolean wroteOutbox() {
        return outboxLocked;
    }

    @Override
    public Connection connection() {
        checkActive();
        if (guarded == null) {
            guarded = GuardedConnection.wrap(connection, () -> active, new GuardedConnection.SavepointListener() {
                @Override
                public void beforeSavepoint() throws SQLException {
                    writeOutbox();
                }

                @Override
                public void afterRollbackToSavepoint() {
                    outbox.discard();
                }
            });
        }
        return guarded;
    }

    @Override
    public PreparedStatement batch(String sql) throws SQLException {
        checkActive();
        java.util.Objects.requireNonNull(sql, "sql");
        return batches.get(statements, connection, sql);
    }

    @Override
    public void executeBatches() throws SQLException {
        checkActive();
        batches.executeAll();
        writeOutbox(); // after the handlers' rows: the outbox lock is the last one a transaction takes
    }

    @Override
    public List<SequencePosition> lockSequencePositions(String consumer, String topic, int[] partitions)
            throws SQLException {
        Checks.name("consumer", consumer);
        Checks.name("topic", topic);
        for (int p : partitions) {
            Checks.nonNegative("partition", p);
        }
        return SequenceQueries.lock(this::prepare, dialect, consumer, topic, partitions, clock.millis());
    }

    @Override
    public void saveSequencePositions(String consumer, List<SequencePosition> positions) throws SQLException {
        Checks.name("consumer", consumer);
        SequenceQueries.save(this::prepare, consumer, positions, clock.millis());
    }

    @Override
    public boolean saveSequencePositionsIfUnchanged(String consumer, List<SequencePosition> expected,
            List<SequencePosition> updated) throws SQLException {
        Checks.name("consumer", consumer);
        return SequenceQueries.saveIfUnchanged(this::prepare, consumer, expected, updated, clock.millis());
    }

    @Override
    public void setRollbackOnly() {
        checkActive();
        rollbackOnly = true;
    }

    @Override
    public Optional<Position> lockPosition(String consumer, String topic, int partition) throws SQLException {
        checkPositionKey(consumer, topic, partition);
        PreparedStatement ps = prepare("SELECT next_offset, lease_epoch, updated_at_ms FROM semel_position "
                + "WHERE consumer = ? AND topic = ? AND partition = ?" + dialect.forUpdate());
        ps.setString(1, consumer);
        ps.setString(2, topic);
        ps.setInt(3, partition);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Position(consumer, topic, partition, rs.getLong(1), rs.getLong(2), rs.getLong(3)));
        }
    }

    @Override
    public PositionUpdate advancePosition(String consumer, String topic, int partition, long nextOffset,
            long leaseEpoch) throws SQLException {
        checkPositionKey(consumer, topic, partition);
        Checks.nonNegative("nextOffset", nextOffset);
        Checks.nonNegative("leaseEpoch", leaseEpoch);
        // One conditional upsert: the WHERE is evaluated against the latest committed row while holding
        // its lock (PostgreSQL re-checks it after waiting for a concurrent writer), so two members cannot
        // both move the same position over the same message.
        PreparedStatement ps = prepare("INSERT INTO semel_position AS p "
                + "(consumer, topic, partition, next_offset, lease_epoch, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, "
                + "lease_epoch = excluded.lease_epoch, updated_at_ms = excluded.updated_at_ms "
                + "WHERE p.lease_epoch <= excluded.lease_epoch AND p.next_offset < excluded.next_offset");
        ps.setString(1, consumer);
        ps.setString(2, topic);
        ps.setInt(3, partition);
        ps.setLong(4, nextOffset);
        ps.setLong(5, leaseEpoch);
        ps.setLong(6, clock.millis());
        if (ps.executeUpdate() == 1) {
            return PositionUpdate.APPLIED;
        }
        // Not applied: the row exists and is now locked by us (or serialized by SQLite's write lock).
        Position stored = lockPosition(consumer, topic, partition).orElseThrow(
                () -> new IllegalStateException("position upsert changed nothing but no row exists for "
                        + consumer + "/" + topic + "/" + partition));
        return stored.leaseEpoch() > leaseEpoch ? PositionUpdate.FENCED : PositionUpdate.NOT_FORWARD;
    }

    @Override
    public Position claimPosition(String consumer, String topic, int partition, long initialNextOffset)
            throws SQLException {
        checkPositionKey(consumer, topic, partition);
        Checks.nonNegative("initialNextOffset", initialNextOffset);
        long nowMs = clock.millis();
        PreparedStatement ps = prepare("INSERT INTO semel_position "
                + "(consumer, topic, partition, next_offset, lease_epoch, updated_at_ms, seq_watermark, seq_inbox_below) "
                + "VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (consumer, topic, partition) DO NOTHING");
        ps.setString(1, consumer);
        ps.setString(2, topic);
        ps.setInt(3, partition);
        ps.setLong(4, initialNextOffset);
        ps.setLong(5, nowMs);
        // Sequence dedup starts at the initial position; below it (never delivered) the inbox decides.
        ps.setLong(6, initialNextOffset);
        ps.setLong(7, initialNextOffset);
        ps.executeUpdate();
        // The UPDATE waits for the row lock of an open transaction of the previous holder and then
        // computes the epoch from the row it committed (PostgreSQL re-reads the newest version).
        PreparedStatement claim = prepare("UPDATE semel_position SET lease_epoch = lease_epoch + 1, updated_at_ms = ? "
                + "WHERE consumer = ? AND topic = ? AND partition = ? RETURNING next_offset, lease_epoch");
        claim.setLong(1, nowMs);
        claim.setString(2, consumer);
        claim.setString(3, topic);
        claim.setInt(4, partition);
        try (ResultSet rs = claim.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("claiming " + consumer + "/" + topic + "/" + partition
                        + ": the position row inserted in this transaction is missing");
            }
            return new Position(consumer, topic, partition, rs.getLong(1), rs.getLong(2), nowMs);
        }
    }

    @Override
    public InboxStatus inboxStatus(String consumer, String messageId) throws SQLException {
        Checks.name("consumer", consumer);
        Checks.messageId(messageId);
        PreparedStatement ps = prepare("SELECT status FROM semel_inbox WHERE consumer = ? AND message_id = ?");
        ps.setString(1, consumer);
        ps.setString(2, messageId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? InboxStatus.valueOf(rs.getString(1)) : InboxStatus.ABSENT;
        }
    }

    @Override
    public boolean insertInbox(String consumer, InboxEntry e, InboxStatus status) throws SQLException {
        Checks.name("consumer", consumer);
        Checks.messageId(e.messageId());
        Checks.name("topic", e.topic());
        Checks.payload(e.messageId(), e.key(), e.value(), e.headers());
        if (!InboxStatus.ABSENT.canMoveTo(status)) {
            throw new IllegalArgumentException("a new inbox row must be one of " + InboxStatus.ABSENT.allowedNext()
                    + ", got " + status);
        }
        PreparedStatement ps = prepare("INSERT INTO semel_inbox (consumer, message_id, topic, partition, "
                + "msg_offset, status, attempts, received_at_ms, processed_at_ms, msg_key, msg_value, headers) "
                + "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT (consumer, message_id) DO NOTHING");
        ps.setString(1, consumer);
        ps.setString(2, e.messageId());
        ps.setString(3, e.topic());
        ps.setInt(4, e.partition());
        ps.setLong(5, e.offset());
        ps.setString(6, status.name());
        ps.setLong(7, e.receivedAtMs());
        if (status == InboxStatus.PROCESSED) {
            ps.setLong(8, e.receivedAtMs());
        } else {
            ps.setNull(8, java.sql.Types.BIGINT);
        }
        ps.setBytes(9, e.key());
        ps.setBytes(10, e.value());
        ps.setBytes(11, HeaderCodec.encode(e.headers()));
        return ps.executeUpdate() == 1;
    }

    @Override
    public boolean markProcessed(String consumer, String messageId, long nowMs) throws SQLException {
        Checks.name("consumer", consumer);
        Checks.messageId(messageId);
        // The WHERE clause is the state machine's guard: only a row in a status that may move to
        // PROCESSED changes.
        assert InboxStatus.RECEIVED.canMoveTo(InboxStatus.PROCESSED);
        PreparedStatement ps = prepare("UPDATE semel_inbox SET status = ?, processed_at_ms = ? "
                + "WHERE consumer = ? AND message_id = ? AND status = ?");
        ps.setString(1, InboxStatus.PROCESSED.name());
        ps.setLong(2, nowMs);
        ps.setString(3, consumer);
        ps.setString(4, messageId);
        ps.setString(5, InboxStatus.RECEIVED.name());
        return ps.executeUpdate() == 1;
    }

    @Override
    public boolean markFailed(String consumer, String messageId, String error, long nowMs) throws SQLException {
        Checks.name("consumer", consumer);
        Checks.messageId(messageId);
        assert InboxStatus.RECEIVED.canMoveTo(InboxStatus.FAILED);
        // processed_at_ms stays NULL: inbox retention removes PROCESSED rows only; a FAILED one waits for a human.
        try (PreparedStatement ps = prepare("UPDATE semel_inbox SET status = ?, last_error = ? "
                + "WHERE consumer = ? AND message_id = ? AND status = ?")) {
            ps.setString(1, InboxStatus.FAILED.name());
            ps.setString(2, Checks.errorText(error));
            ps.setString(3, consumer);
            ps.setString(4, messageId);
            ps.setString(5, InboxStatus.RECEIVED.name());
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    public int incrementAttempts(String consumer, String messageId) throws SQLException {
        Checks.name("consumer", consumer);
        Checks.messageId(messageId);
        PreparedStatement ps = prepare("UPDATE semel_inbox SET attempts = attempts + 1 "
                + "WHERE consumer = ? AND message_id = ? AND status = ? RETURNING attempts");
        ps.setString(1, consumer);
        ps.setString(2, messageId);
        ps.setString(3, InboxStatus.RECEIVED.name());
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    @Override
    public long enqueueOutbox(OutboxMessage m) throws SQLException {
        checkOutbox(m);
        outbox.add(m); // behind the rows added before it, which so get the lower ids
        return writeOutbox();
    }

    @Override
    public void addOutbox(OutboxMessage m) throws SQLException {
        checkOutbox(m);
        if (outbox.add(m)) {
            writeOutbox(); // a bound on the rows held in memory was hit
        }
    }

    private void checkOutbox(OutboxMessage m) {
        checkActive();
        Checks.name("topic", m.topic());
        Checks.messageId(m.messageId());
        Checks.payload(m.messageId(), m.key(), m.value(), m.headers());
    }

    /** Writes the rows added with {@link #addOutbox}, under the outbox lock; the last one's id, or -1 if none. */
    private long writeOutbox() throws SQLException {
        if (outbox.isEmpty()) {
            return -1;
        }
        lockOutbox();
        try {
            return outbox.writeAll(this::prepare);
        } catch (SQLException e) {
            if (dialect.uniqueViolation(e)) {
                throw new IllegalStateException("outbox already holds one of the message ids " + outbox.messageIds(5)
                        + " added in this transaction (or one was added twice); outgoing ids must be unique (derive "
                        + "them from the incoming id and an ordinal): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private void lockOutbox() throws SQLException {
        if (!outboxLocked) {
            // Held until commit: the next enqueuing transaction draws its ids only after this one is
            // visible, so ids appear in commit order and the relay can never skip a lower id.
            dialect.lockOutbox(connection);
            outboxLocked = true;
        }
    }

    @Override
    public List<InboxRow> receivedBatch(String consumer, int limit) throws SQLException {
        Checks.name("consumer", consumer);
        Checks.batch("receivedBatch limit", limit, "INBOX_BATCH_MAX", StoreLimits.INBOX_BATCH_MAX);
        PreparedStatement ps = prepare("SELECT " + Rows.INBOX_COLUMNS + " FROM semel_inbox "
                + "WHERE consumer = ? AND status = ? ORDER BY received_at_ms, topic, partition, msg_offset LIMIT ?"
                + dialect.forUpdateSkipLocked());
        ps.setString(1, consumer);
        ps.setString(2, InboxStatus.RECEIVED.name());
        ps.setInt(3, limit);
        List<InboxRow> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(Rows.inbox(rs));
            }
        }
        return rows;
    }

    /** The cached statement for {@code sql}: callers close its result sets, never the statement. */
    private PreparedStatement prepare(String sql) throws SQLException {
        checkActive();
        return statements.get(connection, sql);
    }

    private void checkActive() {
        if (!active) {
            throw new IllegalStateException("store transaction already ended; use it only inside the work");
        }
    }

    private static void checkPositionKey(String consumer, String topic, int partition) {
        Checks.name("consumer", consumer);
        Checks.name("topic", topic);
        Checks.nonNegative("partition", partition);
    }
}
