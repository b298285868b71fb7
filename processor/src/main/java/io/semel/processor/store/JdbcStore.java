package io.semel.processor.store;

import io.semel.processor.store.internal.JdbcStoreImpl;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The processor's durable store over JDBC: SQLite (embedded default) or PostgreSQL. Opening creates
 * or migrates the schema ({@code semel_schema_version}) and refuses a schema newer than this code.
 *
 * <p>Thread-safe. On SQLite all work goes through one connection and transactions run one at a time
 * (SQLite allows a single writer; a fair lock orders callers). On PostgreSQL each transaction borrows a
 * connection from the pool and runs at READ COMMITTED with explicit row locks.
 *
 * <p>Methods other than {@link #inTransaction} each run in their own short transaction.
 */
public interface JdbcStore extends AutoCloseable {

    /** SQLite file store with {@link StoreOptions#defaults()} (WAL, synchronous=FULL). */
    static JdbcStore sqlite(Path file) {
        return sqlite(file, StoreOptions.defaults());
    }

    static JdbcStore sqlite(Path file, StoreOptions options) {
        return JdbcStoreImpl.openSqlite(file, options);
    }

    /** PostgreSQL through the caller's DataSource (pooled or not); the caller closes it. */
    static JdbcStore postgres(DataSource dataSource) {
        return postgres(dataSource, StoreOptions.defaults());
    }

    static JdbcStore postgres(DataSource dataSource, StoreOptions options) {
        return JdbcStoreImpl.openPostgres(dataSource, null, options);
    }

    /**
     * PostgreSQL through a HikariCP pool of {@code poolSize} connections (at most
     * {@link StoreLimits#POOL_SIZE_MAX}) that {@link #close()} shuts down.
     */
    static JdbcStore postgres(String jdbcUrl, String user, String password, int poolSize) {
        return JdbcStoreImpl.openPostgresPool(jdbcUrl, user, password, poolSize, StoreOptions.defaults());
    }

    /**
     * Runs {@code work} in one transaction: commit when it returns (unless
     * {@link StoreTransaction#setRollbackOnly()}), rollback on any exception. Retriable database
     * failures re-run the work up to {@link StoreOptions#txRetriesMax()} times.
     *
     * @throws HandlerException the work's own, rethrown after rollback, never retried
     * @throws StoreException the database failed (with {@link StoreException#retriable()})
     */
    <T> T inTransaction(TransactionWork<T> work) throws HandlerException;

    /**
     * The database file when this is a SQLite store (one process at a time may use it as a
     * consumer-group member's store), else empty.
     */
    Optional<Path> sqliteFile();

    /**
     * Takes the lock named {@code name} for this store, held across processes until the returned lock
     * is closed (or the process dies), or returns empty at once when another holder has it. PostgreSQL:
     * a session advisory lock on a connection kept out of the pool while held; SQLite: an OS file lock
     * beside the database file. Used to keep one active outbox relay per store, and one Kafka source
     * per SQLite store.
     */
    Optional<StoreLock> tryLockExclusive(String name);

    /** A registration made with {@link #onOutboxCommitted}; closing it removes the listener. Idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Calls {@code listener} after every transaction run through this store object that wrote outbox rows has
     * committed (never after a rollback), on the committing thread, once the store's connection and lock are
     * released. It must return at once and never block or call the store (e.g. wake a relay). Commits made by
     * other store objects or processes are not seen: a relay polls for those.
     */
    Subscription onOutboxCommitted(Runnable listener);

    /** The schema version this store is at after opening. */
    int schemaVersion();

    // ---- relay side (outside handler transactions) ----

    /**
     * Unsent outbox rows with id greater than {@code afterId}, by id, at most {@code limit}, each with
     * its relay assignment when it has one.
     */
    List<OutboxRow> pendingOutbox(long afterId, int limit);

    /**
     * The highest outbox id committed so far (0 when the outbox is empty): a relay bounds a pass with it, so a pass
     * takes the rows pending when it started and never chases a producer that keeps committing.
     */
    long lastOutboxId();

    /** Marks the rows sent at {@code nowMs}; returns how many were unsent before. */
    int markSent(List<Long> ids, long nowMs);

    /**
     * Marks every unsent, unfailed outbox row with id in {@code (afterId, lastId]} sent at {@code nowMs} and saves
     * {@code producer}, in one transaction: a relay that published exactly that run records it with one commit
     * (one fsync) instead of {@link #markSent}'s and {@link #saveProducer}'s two, and no crash can leave the rows
     * marked but the relay's last id behind. Returns how many rows it marked.
     */
    int markSentThrough(long afterId, long lastId, long nowMs, RelayProducer producer);

    /**
     * Stores the relay's partition and sequence for each row, and moves each partition's next
     * sequence ({@link RelaySequence}) past them, in one transaction. Per {@code (topic, partition)}
     * the sequences must continue the stored next sequence (0 when none) contiguously; each row must
     * exist with that topic, be unsent and unassigned; the partition's counter must belong to
     * {@code relayName} or be new. Any violation assigns nothing and throws. At most
     * {@link StoreLimits#OUTBOX_BATCH_MAX} assignments.
     *
     * @throws IllegalStateException a check failed (another relay, or a relay bug); nothing changed
     */
    void assignOutbox(String relayName, List<OutboxAssignment> assignments);

    /** Every {@code (topic, partition)} sequence counter, by topic and partition. */
    List<RelaySequence> relaySequences();

    /**
     * Counts one refused send of unsent outbox row {@code id} (attempts + 1, the error kept);
     * returns its attempts now, 0 when there is no such unsent, unfailed row.
     */
    int recordOutboxFailure(long id, String error);

    /**
     * Gives up on unsent outbox row {@code id} in one transaction: marks it FAILED with
     * {@code error}; if it holds a sequence {@code s} of its partition, releases {@code s} and every
     * later unsent assignment of that partition (the counter goes back to {@code s}, so the rows
     * behind it are assigned again without a gap: call this only when the broker does not hold
     * {@code s}); and enqueues {@code deadLetter} (null: none) as a new outbox row.
     *
     * @throws IllegalStateException when the row is not unsent and unfailed, or a later row of its
     *     partition is already marked sent
     */
    void failOutbox(String relayName, long id, String error, long nowMs, OutboxMessage deadLetter);

    /** FAILED outbox rows, oldest first, at most {@code limit}. */
    List<FailedOutboxRow> failedOutbox(int limit);

    Optional<RelayProducer> loadProducer(String relayName);

    /** Inserts or replaces the relay's producer row. */
    void saveProducer(RelayProducer producer);

    // ---- retention ----

    /** Deletes at most {@code limit} PROCESSED inbox rows processed before {@code cutoffMs}; returns the count. */
    int deleteProcessedInboxBefore(long cutoffMs, int limit);

    /** Deletes at most {@code limit} sent outbox rows sent before {@code cutoffMs}; returns the count. */
    int deleteSentOutboxBefore(long cutoffMs, int limit);

    // ---- status ----

    InboxCounts inboxCounts(String consumer);

    /** Unsent outbox rows: their number and the oldest one's creation time (for relay-lag metrics). */
    OutboxBacklog outboxBacklog();

    /**
     * The consumer's position rows with their sequence-dedup state (processed offsets), by topic and
     * partition; rows without sequence state read as in {@link StoreTransaction#lockSequencePositions}.
     */
    List<SequencePosition> sequencePositions(String consumer);

    /**
     * A page of a consumer's inbox rows with {@code status}, by message id, after
     * {@code afterMessageId} (null: from the start).
     */
    List<InboxRow> inboxPage(String consumer, InboxStatus status, String afterMessageId, int limit);

    /** Closes the SQLite connection or the pool this store built. Idempotent. */
    @Override
    void close();
}
