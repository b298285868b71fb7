package io.semel.processor.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.semel.processor.store.FailedOutboxRow;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.InboxCounts;
import io.semel.processor.store.InboxRow;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxAssignment;
import io.semel.processor.store.OutboxBacklog;
import io.semel.processor.store.OutboxRow;
import io.semel.processor.store.RelayProducer;
import io.semel.processor.store.RelaySequence;
import io.semel.processor.store.SequencePosition;
import io.semel.processor.store.StoreException;
import io.semel.processor.store.StoreLimits;
import io.semel.processor.store.StoreOptions;
import io.semel.processor.store.TransactionWork;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link JdbcStore} over a {@link ConnectionSource} and a {@link Dialect}. Thread-safe; holds no lock of
 * its own (the SQLite source's lock is the only one).
 */
public final class JdbcStoreImpl implements JdbcStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcStoreImpl.class);
    /** A thread already inside inTransaction would deadlock on SQLite and leak a second transaction on PG. */
    private static final ThreadLocal<Boolean> IN_TRANSACTION = ThreadLocal.withInitial(() -> false);
    private static final long RETRY_BACKOFF_MS_MAX = 100;

    private final ConnectionSource source;
    private final Dialect dialect;
    private final StoreOptions options;
    private final String description;
    private final int schemaVersion;
    private final Path sqliteFile;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> outboxListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private JdbcStoreImpl(ConnectionSource source, Dialect dialect, StoreOptions options, String description,
            Path sqliteFile) {
        this.sqliteFile = sqliteFile;
        this.source = source;
        this.dialect = dialect;
        this.options = options;
        this.description = description;
        try {
            int before = call(c -> Migrations.migrate(c, dialect, options.clock().millis()));
            this.schemaVersion = Migrations.latestVersion();
            if (before != schemaVersion) {
                log.info("{}: schema migrated from version {} to {}", description, before, schemaVersion);
            }
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    public static JdbcStore openSqlite(Path file, StoreOptions options) {
        Objects.requireNonNull(file, "file");
        return new JdbcStoreImpl(SqliteConnectionSource.open(file, options), Dialect.SQLITE, options,
                "SQLite store " + file, file.toAbsolutePath());
    }

    public static JdbcStore openPostgres(DataSource dataSource, AutoCloseable owned, StoreOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new JdbcStoreImpl(new PooledConnectionSource(dataSource, owned), Dialect.POSTGRES, options,
                "PostgreSQL store", null);
    }

    public static JdbcStore openPostgresPool(String jdbcUrl, String user, String password, int poolSize,
            StoreOptions options) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
        }
        StoreLimits.check("poolSize", poolSize, "POOL_SIZE_MAX", StoreLimits.POOL_SIZE_MAX);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("semel-store");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            return openPostgres(pool, pool, options);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    @Override
    public Optional<io.semel.processor.store.StoreLock> tryLockExclusive(String name) {
        Checks.name("lock name", name);
        if (closed.get()) {
            throw new IllegalStateException(description + " is closed");
        }
        return sqliteFile != null ? StoreLocks.sqlite(sqliteFile, name) : StoreLocks.postgres(source, name);
    }

    @Override
    public Optional<Path> sqliteFile() {
        return Optional.ofNullable(sqliteFile);
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) throws HandlerException {
        Objects.requireNonNull(work, "work");
        if (IN_TRANSACTION.get()) {
            throw new IllegalStateException("inTransaction called from inside a transaction on the same thread; "
                    + "nested store transactions are not supported: use the outer StoreTransaction");
        }
        if (closed.get()) {
            throw new IllegalStateException(description + " is closed");
        }
        IN_TRANSACTION.set(true);
        boolean[] committedOutbox = {false};
        try {
            for (int attempt = 0;; attempt++) {
                try {
                    return runOnce(work, committedOutbox);
                } catch (SQLException e) {
                    boolean retriable = dialect.retriable(e);
                    if (!retriable || attempt >= options.txRetriesMax()) {
                        throw new StoreException(description + ": transaction failed after " + (attempt + 1)
                                + " attempt(s) (txRetriesMax " + options.txRetriesMax() + "): " + e.getMessage()
                                + " [SQLState " + e.getSQLState() + ", code " + e.getErrorCode() + "]", e, retriable);
                    }
                    log.debug("{}: retriable failure on attempt {}: {}", description, attempt + 1, e.getMessage());
                    backoff(attempt);
                }
            }
        } finally {
            IN_TRANSACTION.set(false);
            if (committedOutbox[0]) {
                notifyOutboxCommitted();
            }
        }
    }

    /** After the connection (and SQLite's lock) is released: a listener never runs under a store lock. */
    private void notifyOutboxCommitted() {
        for (Runnable l : outboxListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.warn("{}: an outbox-commit listener failed (the transaction stays committed): {}", description,
                        e.toString());
            }
        }
    }

    @Override
    public Subscription onOutboxCommitted(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        // Wrapped, so the same Runnable registered twice is removed once per close.
        Runnable entry = listener::run;
        outboxListeners.add(entry);
        return () -> outboxListeners.remove(entry);
    }

    private <T> T runOnce(TransactionWork<T> work, boolean[] committedOutbox) throws SQLException, HandlerException {
        Connection c = source.acquire();
        StatementCache statements = source.statements(c);
        try {
            dialect.begin(c);
            JdbcStoreTransaction tx = new JdbcStoreTransaction(c, dialect, options.clock(), statements);
            try {
                T result = work.run(tx);
                if (!tx.rollbackOnly() && tx.hasPendingBatches()) {
                    tx.executeBatches();
                }
                tx.end();
                if (tx.rollbackOnly()) {
                    dialect.rollback(c);
                } else {
                    dialect.commit(c);
                    committedOutbox[0] = tx.wroteOutbox();
                }
                return result;
            } catch (Throwable t) {
                tx.end();
                rollbackQuietly(c, t);
                throw t;
            }
        } finally {
            if (!source.cachesAcrossTransactions()) {
                statements.closeAll();
            }
            source.release(c);
        }
    }

    private void rollbackQuietly(Connection c, Throwable cause) {
        try {
            dialect.rollback(c);
        } catch (SQLException | RuntimeException e) {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); keep the original failure.
            cause.addSuppressed(e);
        }
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(Math.min(RETRY_BACKOFF_MS_MAX, 1L << Math.min(attempt + 1, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while backing off before a transaction retry", e, true);
        }
    }

    /** Store-internal work: no HandlerException possible. */
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T call(SqlWork<T> work) {
        try {
            return inTransaction(tx -> work.run(((JdbcStoreTransaction) tx).rawConnection()));
        } catch (HandlerException e) {
            throw new AssertionError("store-internal work threw a HandlerException", e);
        }
    }

    @Override
    public List<OutboxRow> pendingOutbox(long afterId, int limit) {
        Checks.batch("pendingOutbox limit", limit, "OUTBOX_BATCH_MAX", StoreLimits.OUTBOX_BATCH_MAX);
        return call(c -> MaintenanceQueries.pendingOutbox(c, afterId, limit));
    }

    @Override
    public long lastOutboxId() {
        return call(MaintenanceQueries::lastOutboxId);
    }

    @Override
    public int markSent(List<Long> ids, long nowMs) {
        Objects.requireNonNull(ids, "ids");
        StoreLimits.check("markSent id count", ids.size(), "OUTBOX_BATCH_MAX", StoreLimits.OUTBOX_BATCH_MAX);
        if (ids.isEmpty()) {
            return 0;
        }
        return call(c -> MaintenanceQueries.markSent(c, ids, nowMs));
    }

    @Override
    public int markSentThrough(long afterId, long lastId, long nowMs, RelayProducer producer) {
        Checks.nonNegative("afterId", afterId);
        if (lastId < afterId) {
            throw new IllegalArgumentException("markSentThrough: lastId " + lastId + " is below afterId " + afterId);
        }
        Checks.name("relayName", producer.relayName());
        Checks.nonNegative("nextSequence", producer.nextSequence());
        long savedAtMs = options.clock().millis();
        return call(c -> {
            int marked = MaintenanceQueries.markSentThrough(c, afterId, lastId, nowMs);
            MaintenanceQueries.saveProducer(c, producer, savedAtMs);
            return marked;
        });
    }

    @Override
    public void assignOutbox(String relayName, List<OutboxAssignment> assignments) {
        Checks.name("relayName", relayName);
        Objects.requireNonNull(assignments, "assignments");
        StoreLimits.check("assignOutbox count", assignments.size(), "OUTBOX_BATCH_MAX", StoreLimits.OUTBOX_BATCH_MAX);
        if (assignments.isEmpty()) {
            return;
        }
        long nowMs = options.clock().millis();
        call(c -> {
            RelayQueries.assignOutbox(c, relayName, assignments, nowMs);
            return null;
        });
    }

    @Override
    public List<RelaySequence> relaySequences() {
        return call(RelayQueries::relaySequences);
    }

    @Override
    public int recordOutboxFailure(long id, String error) {
        return call(c -> OutboxFailures.record(c, id, Checks.errorText(error)));
    }

    @Override
    public void failOutbox(String relayName, long id, String error, long nowMs, OutboxMessage deadLetter) {
        try {
            inTransaction(tx -> {
                OutboxFailures.fail(((JdbcStoreTransaction) tx).rawConnection(), relayName, id, Checks.errorText(error),
                        nowMs);
                if (deadLetter != null) {
                    tx.enqueueOutbox(deadLetter);
                }
                return null;
            });
        } catch (HandlerException e) {
            throw new AssertionError("no handler runs here", e);
        }
    }

    @Override
    public List<FailedOutboxRow> failedOutbox(int limit) {
        Checks.batch("failedOutbox limit", limit, "OUTBOX_BATCH_MAX", StoreLimits.OUTBOX_BATCH_MAX);
        return call(c -> OutboxFailures.failed(c, limit));
    }

    @Override
    public Optional<RelayProducer> loadProducer(String relayName) {
        Checks.name("relayName", relayName);
        return call(c -> MaintenanceQueries.loadProducer(c, relayName));
    }

    @Override
    public void saveProducer(RelayProducer producer) {
        Checks.name("relayName", producer.relayName());
        Checks.nonNegative("nextSequence", producer.nextSequence());
        long nowMs = options.clock().millis();
        call(c -> {
            MaintenanceQueries.saveProducer(c, producer, nowMs);
            return null;
        });
    }

    @Override
    public int deleteProcessedInboxBefore(long cutoffMs, int limit) {
        Checks.batch("retention limit", limit, "RETENTION_BATCH_MAX", StoreLimits.RETENTION_BATCH_MAX);
        return call(c -> MaintenanceQueries.deleteProcessedInboxBefore(c, cutoffMs, limit));
    }

    @Override
    public int deleteSentOutboxBefore(long cutoffMs, int limit) {
        Checks.batch("retention limit", limit, "RETENTION_BATCH_MAX", StoreLimits.RETENTION_BATCH_MAX);
        return call(c -> MaintenanceQueries.deleteSentOutboxBefore(c, cutoffMs, limit));
    }

    @Override
    public InboxCounts inboxCounts(String consumer) {
        Checks.name("consumer", consumer);
        return call(c -> MaintenanceQueries.inboxCounts(c, consumer));
    }

    @Override
    public List<SequencePosition> sequencePositions(String consumer) {
        Checks.name("consumer", consumer);
        return call(c -> SequenceQueries.all(c, consumer));
    }

    @Override
    public OutboxBacklog outboxBacklog() {
        return call(MaintenanceQueries::outboxBacklog);
    }

    @Override
    public List<InboxRow> inboxPage(String consumer, InboxStatus status, String afterMessageId, int limit) {
        Checks.name("consumer", consumer);
        Objects.requireNonNull(status, "status");
        if (!status.stored()) {
            throw new IllegalArgumentException("inboxPage status must be a stored status (RECEIVED, PROCESSED or FAILED), got "
                    + status);
        }
        Checks.batch("inboxPage limit", limit, "INBOX_BATCH_MAX", StoreLimits.INBOX_BATCH_MAX);
        return call(c -> MaintenanceQueries.inboxPage(c, consumer, status, afterMessageId == null ? "" : afterMessageId,
                limit));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            source.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
