package io.semel.processor.store;

import java.time.InstantSource;
import java.util.Objects;

/**
 * Store settings. Immutable; start from {@link #defaults()} and use the {@code with…} methods.
 *
 * @param sqliteSync SQLite only: {@link SqliteSync#FULL} (default) fsyncs the WAL on every commit, so
 *     a committed transaction survives power loss; {@link SqliteSync#NORMAL} fsyncs only at WAL
 *     checkpoints: still crash-safe against a process kill and never corrupt, but the last commits
 *     before a power loss or OS crash may be lost (about 5x faster here)
 * @param busyTimeoutMs SQLite only: how long a statement waits for another process's lock before
 *     SQLITE_BUSY, milliseconds
 * @param txRetriesMax how many times {@link JdbcStore#inTransaction} re-runs work after a retriable
 *     failure (SQLite busy, PostgreSQL serialization failure or deadlock) before giving up
 * @param clock source of {@code updated_at_ms} timestamps the store writes itself
 */
public record StoreOptions(SqliteSync sqliteSync, int busyTimeoutMs, int txRetriesMax, InstantSource clock) {

    /** SQLite {@code PRAGMA synchronous} level. */
    public enum SqliteSync { FULL, NORMAL }

    public StoreOptions {
        Objects.requireNonNull(sqliteSync, "sqliteSync");
        Objects.requireNonNull(clock, "clock");
        if (busyTimeoutMs < 0 || txRetriesMax < 0) {
            throw new IllegalArgumentException("busyTimeoutMs and txRetriesMax must be >= 0, got "
                    + busyTimeoutMs + " and " + txRetriesMax);
        }
        StoreLimits.check("busyTimeoutMs", busyTimeoutMs, "BUSY_TIMEOUT_MS_MAX", StoreLimits.BUSY_TIMEOUT_MS_MAX);
        StoreLimits.check("txRetriesMax", txRetriesMax, "TX_RETRIES_MAX", StoreLimits.TX_RETRIES_MAX);
    }

    public static StoreOptions defaults() {
        return new StoreOptions(SqliteSync.FULL, 5_000, StoreLimits.TX_RETRIES_DEFAULT, InstantSource.system());
    }

    public StoreOptions withSqliteSync(SqliteSync sync) {
        return new StoreOptions(sync, busyTimeoutMs, txRetriesMax, clock);
    }

    public StoreOptions withBusyTimeoutMs(int ms) {
        return new StoreOptions(sqliteSync, ms, txRetriesMax, clock);
    }

    public StoreOptions withTxRetriesMax(int retries) {
        return new StoreOptions(sqliteSync, busyTimeoutMs, retries, clock);
    }

    public StoreOptions withClock(InstantSource source) {
        return new StoreOptions(sqliteSync, busyTimeoutMs, txRetriesMax, source);
    }
}
