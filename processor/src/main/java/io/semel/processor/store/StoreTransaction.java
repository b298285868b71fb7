package io.semel.processor.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * One open store transaction, handed to {@link TransactionWork}. Everything done through it and
 * through {@link #connection()} commits or rolls back together. Valid only inside the
 * {@code run} call that received it; not thread-safe (one thread uses it).
 *
 * <p>Lock order inside a transaction, to keep PostgreSQL deadlocks rare: position rows
 * ({@link #lockPosition}) first, then inbox rows, then the outbox lock taken by
 * {@link #enqueueOutbox}. A deadlock that happens anyway is retried by the store.
 */
public interface StoreTransaction {

    /**
     * The transaction's JDBC connection, for the handler's own SQL. Auto-commit is off; calling
     * {@code commit}, {@code rollback}, {@code setAutoCommit} or {@code close} on it throws
     * {@link IllegalStateException}: the store owns the transaction's end.
     */
    Connection connection();

    /**
     * Reads the position row and locks it until the transaction ends (PostgreSQL: {@code SELECT … FOR
     * UPDATE}; SQLite: the write lock is already held since {@code BEGIN IMMEDIATE}). Empty when there
     * is no row; on PostgreSQL that locks nothing, and concurrent creators are ordered by
     * {@link #advancePosition}'s conditional upsert instead.
     */
    Optional<Position> lockPosition(String consumer, String topic, int partition) throws SQLException;

    /**
     * Conditionally creates or moves the position: applied only if {@code nextOffset} is strictly
     * greater than the stored one and {@code leaseEpoch} is at least the stored one. Otherwise nothing
     * changes and the answer says why ({@link PositionUpdate#FENCED} wins when both fail); the caller
     * must then roll back.
     */
    PositionUpdate advancePosition(String consumer, String topic, int partition, long nextOffset, long leaseEpoch)
            throws SQLException;

    /**
     * Claims the partition for a new holder (a Kafka source on partition assignment): creates the row
     * at {@code initialNextOffset} when absent, then raises its lease epoch by one and returns the
     * row. The update locks the row, so the claim waits for a transaction of the previous holder that
     * is still open and then reads what it committed. The returned epoch is the fencing token of every
     * later {@link #advancePosition} by this holder: an older holder's updates then answer
     * {@link PositionUpdate#FENCED}. Run it in its own short transaction.
     */
    Position claimPosition(String consumer, String topic, int partition, long initialNextOffset) throws SQLException;

    /** The status of a message id for a consumer; {@link InboxStatus#ABSENT} when there is no row. */
    InboxStatus inboxStatus(String consumer, String messageId) throws SQLException;

    /**
     * Inserts an inbox row with {@code status} (RECEIVED or PROCESSED) and 0 attempts. Returns false,
     * changing nothing, when the consumer already has a row with that id (a duplicate).
     */
    boolean insertInbox(String consumer, InboxEntry entry, InboxStatus status) throws SQLException;

    /** RECEIVED → PROCESSED. Returns false, changing nothing, when the row is absent or already PROCESSED. */
    boolean markProcessed(String consumer, String messageId, long nowMs) throws SQLException;

    /**
     * Adds one to a RECEIVED row's attempts and returns the new count; 0 when there is no such row or it is no
     * longer RECEIVED (a FAILED or PROCESSED row's attempts are final).
     */
    int incrementAttempts(String consumer, String messageId) throws SQLException;

    /**
     * Moves a RECEIVED row to FAILED (terminal) with the error that made it fail; false when the
     * row is not RECEIVED. See {@link InboxStatus}.
     */
    boolean markFailed(String consumer, String messageId, String error, long nowMs) throws SQLException;

    /**
     * Writes an outbox row and returns its id. Ids are strictly increasing in commit order: on
     * PostgreSQL the first enqueue of a transaction takes a transaction-scoped advisory lock, so
     * enqueuing transactions commit one at a time (see {@code docs/store.md}).
     *
     * @throws IllegalStateException when the outbox already holds {@code m.messageId()}
     */
    long enqueueOutbox(OutboxMessage m) throws SQLException;

    /**
     * Adds an outbox row that the store writes later in this transaction, together with the other rows added this
     * way: as multi-row inserts (up to 128 rows a statement) when 128 rows or 4 MiB of payload are pending, at
     * {@link #executeBatches}, before {@link #enqueueOutbox} and before the commit. Use it when the row's id is not
     * needed: on PostgreSQL it saves a round trip per row. Ids rise in the order rows are added (and
     * {@link #enqueueOutbox} writes the pending ones first, so ids follow call order); the outbox lock is taken when
     * the first row is written. The limits are checked here.
     *
     * @throws IllegalStateException when written: the outbox already holds one of the message ids
     */
    void addOutbox(OutboxMessage m) throws SQLException;

    /**
     * Up to {@code limit} RECEIVED rows of the consumer, oldest first, locked for this transaction;
     * on PostgreSQL rows locked by another worker are skipped ({@code FOR UPDATE SKIP LOCKED}).
     */
    List<InboxRow> receivedBatch(String consumer, int limit) throws SQLException;

    /**
     * Sequence dedup: reads the position rows of {@code partitions} of {@code topic} and locks them until
     * the transaction ends, in partition order (PostgreSQL: {@code SELECT … ORDER BY partition FOR
     * UPDATE}; SQLite: already the only writer). A missing row is created first, empty (nothing
     * processed, epoch 0), so a second member creating it concurrently waits for this transaction and
     * then reads what it committed. Returns one row per partition, by partition. The caller checks the
     * lease epoch (a stored epoch above its own means it is fenced: roll back) and writes the rows back
     * with {@link #saveSequencePositions} in the same transaction.
     */
    List<SequencePosition> lockSequencePositions(String consumer, String topic, int[] partitions) throws SQLException;

    /**
     * Writes rows read with {@link #lockSequencePositions} in this transaction (next offset, lease epoch,
     * processed offsets), as one JDBC batch.
     */
    void saveSequencePositions(String consumer, List<SequencePosition> positions) throws SQLException;

    /**
     * Sequence dedup without the read: writes each of {@code updated} over its row only if the row still
     * holds exactly the matching element of {@code expected} (same topic and partition, in the same
     * order: next offset, lease epoch, processed offsets and inbox boundary all equal), as one JDBC batch
     * of conditional updates. A row that matched is locked until the transaction ends, as if read with
     * {@link #lockSequencePositions} and found to be {@code expected}. Returns false when any row did not
     * match (another writer moved it, or it is missing): the caller must then roll back, since the rows
     * that matched were written.
     */
    boolean saveSequencePositionsIfUnchanged(String consumer, List<SequencePosition> expected,
            List<SequencePosition> updated) throws SQLException;

    /**
     * A statement of this transaction for {@code sql}, prepared once (the same SQL returns the same
     * statement): set its parameters and {@code addBatch()} per row; {@link #executeBatches} runs every
     * batch statement's rows, in the order the statements were first asked for. The store runs them
     * before committing if nobody did. Do not close it (its rows would be lost: {@link #executeBatches}
     * then throws); executing it yourself only runs its rows early, in the same transaction.
     */
    PreparedStatement batch(String sql) throws SQLException;

    /**
     * Executes the rows added to {@link #batch} statements so far, in first-use order, then writes the rows added
     * with {@link #addOutbox}.
     */
    void executeBatches() throws SQLException;

    /** Makes the transaction roll back when the work returns normally (e.g. after FENCED). */
    void setRollbackOnly();
}
