package io.semel.processor.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a SQLite file, plus SQLite's own settings. */
class SqliteStoreTest extends StoreContractTest {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected Database freshDatabase() {
        Path file = dir.resolve("store-" + FILES.incrementAndGet() + ".db");
        return () -> JdbcStore.sqlite(file);
    }

    @Override
    protected SQLException retriableFailure() {
        return new SQLException("[SQLITE_BUSY] The database file is locked (simulated)", null, 5);
    }

    @Test
    void theFileIsOpenedInWalModeWithFullSyncAndForeignKeys() throws Exception {
        assertThat(pragma(store, "journal_mode")).isEqualTo("wal");
        assertThat(pragma(store, "synchronous")).isEqualTo("2"); // FULL
        assertThat(pragma(store, "foreign_keys")).isEqualTo("1");
        assertThat(pragma(store, "busy_timeout")).isEqualTo("5000");
        try (JdbcStore normal = JdbcStore.sqlite(dir.resolve("normal.db"),
                StoreOptions.defaults().withSqliteSync(StoreOptions.SqliteSync.NORMAL).withBusyTimeoutMs(250))) {
            assertThat(pragma(normal, "synchronous")).isEqualTo("1"); // NORMAL
            assertThat(pragma(normal, "busy_timeout")).isEqualTo("250");
        }
    }

    @Test
    void aSecondProcessStyleWriterWaitsForBusyTimeoutThenTheTransactionIsRetried() throws Exception {
        // Two stores on one file behave like two processes: each has its own connection.
        Path file = dir.resolve("shared.db");
        try (JdbcStore a = JdbcStore.sqlite(file);
                JdbcStore b = JdbcStore.sqlite(file, StoreOptions.defaults().withBusyTimeoutMs(50).withTxRetriesMax(50))) {
            Thread holder = new Thread(() -> {
                try {
                    a.inTransaction(tx -> {
                        tx.advancePosition(C, T, 0, 1, 1);
                        sleep(300);
                        return null;
                    });
                } catch (HandlerException e) {
                    throw new AssertionError(e);
                }
            });
            holder.start();
            sleep(50);
            // b hits SQLITE_BUSY at BEGIN IMMEDIATE after 50 ms, retries with backoff, then succeeds.
            assertThat(b.<PositionUpdate>inTransaction(tx -> tx.advancePosition(C, T, 0, 2, 1))).isEqualTo(PositionUpdate.APPLIED);
            holder.join();
            assertThat(b.inTransaction(tx -> tx.lockPosition(C, T, 0)).orElseThrow().nextOffset()).isEqualTo(2);
        }
    }

    private static String pragma(JdbcStore s, String name) throws HandlerException {
        return s.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement(); var rs = st.executeQuery("PRAGMA " + name)) {
                rs.next();
                return rs.getString(1);
            }
        });
    }
}
