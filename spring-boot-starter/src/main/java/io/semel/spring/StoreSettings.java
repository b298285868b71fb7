package io.semel.spring;

import io.semel.processor.store.StoreLimits;
import io.semel.processor.store.StoreOptions;

/** {@code semel.store.*}: options of the {@link io.semel.processor.store.JdbcStore} built from the DataSource. */
public class StoreSettings {
    /** SQLite only: FULL fsyncs the WAL on every commit (survives power loss); NORMAL only at checkpoints. */
    private StoreOptions.SqliteSync sqliteSync = StoreOptions.SqliteSync.FULL;

    /** SQLite only: how long a statement waits for another connection's lock, ms. */
    private int busyTimeoutMs = 5_000;

    /** Re-runs of a transaction after a retriable database failure (SQLite busy, PostgreSQL serialization). */
    private int txRetriesMax = StoreLimits.TX_RETRIES_DEFAULT;

    public StoreOptions toOptions() {
        return StoreOptions.defaults().withSqliteSync(sqliteSync).withBusyTimeoutMs(busyTimeoutMs)
                .withTxRetriesMax(txRetriesMax);
    }

    public StoreOptions.SqliteSync getSqliteSync() {
        return sqliteSync;
    }

    public void setSqliteSync(StoreOptions.SqliteSync sqliteSync) {
        this.sqliteSync = sqliteSync;
    }

    public int getBusyTimeoutMs() {
        return busyTimeoutMs;
    }

    public void setBusyTimeoutMs(int busyTimeoutMs) {
        this.busyTimeoutMs = busyTimeoutMs;
    }

    public int getTxRetriesMax() {
        return txRetriesMax;
    }

    public void setTxRetriesMax(int txRetriesMax) {
        this.txRetriesMax = txRetriesMax;
    }
}
