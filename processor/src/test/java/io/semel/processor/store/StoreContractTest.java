package io.semel.processor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.Header;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract, run unchanged against every database ({@link SqliteStoreTest},
 * {@link PostgresStoreTest}). Each test gets a fresh, empty database.
 */
abstract class StoreContractTest {
    static final String C = "billing";
    static final String T = "orders";
    /** v1 tables; v2 outbox partition/sequence assignment and relay sequence counters. */
    static final int LATEST_VERSION = 4;

    /** One empty database; {@link #open()} may be called again after closing to reopen it. */
    interface Database {
        JdbcStore open();
    }

    protected abstract Database freshDatabase() throws Exception;

    /** A SQLException this dialect classifies as retriable (busy / serialization failure). */
    protected abstract SQLException retriableFailure();

    protected Database db;
    protected JdbcStore store;

    @BeforeEach
    void openStore() throws Exception {
        db = freshDatabase();
        store = db.open();
        store.inTransaction(tx -> {
            exec(tx.connection(), "CREATE TABLE account_entry (msg_id TEXT PRIMARY KEY, amount BIGINT NOT NULL)");
            return null;
        });
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---------------------------------------------------------------- schema

    @Test
    void schemaIsCreatedAtOpenAndReopeningChangesNothing() throws Exception {
        assertThat(store.schemaVersion()).isEqualTo(LATEST_VERSION);
        store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m1", T, 0, 0, 1), InboxStatus.PROCESSED));
        store.close();
        store = db.open();
        store.close();
        store = db.open();
        assertThat(store.schemaVersion()).isEqualTo(LATEST_VERSION);
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(C, "m1"))).isEqualTo(InboxStatus.PROCESSED);
        assertThat(store.<Long>inTransaction(tx -> count(tx.connection(), "semel_schema_version")))
                .isEqualTo(LATEST_VERSION);
    }

    @Test
    void aSchemaNewerThanTheCodeIsRefusedWithoutChangingIt() throws Exception {
        store.inTransaction(tx -> {
            exec(tx.connection(), "INSERT INTO semel_schema_version (version, description, applied_at_ms) "
                    + "VALUES (99, 'from the future', 0)");
            return null;
        });
        store.close();
        store = null;
        assertThatThrownBy(db::open).isInstanceOf(StoreSchemaException.class)
                .hasMessageContaining("version 99").hasMessageContaining("up to " + LATEST_VERSION).hasMessageContaining("newer");
        // The refusal wrote nothing (no downgrade, no new rows): opening again refuses the same way.
        assertThatThrownBy(db::open).isInstanceOf(StoreSchemaException.class).hasMessageContaining("version 99");
    }

    // ---------------------------------------------------------------- transactions

    @Test
    void workCommitsUserRowsInboxAndPositionTogether() throws Exception {
        store.inTransaction(tx -> applyMessage(tx, "m1", 0, 1));
        assertThat(userRow("m1")).isTrue();
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(C, "m1"))).isEqualTo(InboxStatus.PROCESSED);
        assertThat(position().nextOffset()).isEqualTo(1);
    }

    @Test
    void aTwoStepHandlerCrashingBetweenTheStepsLeavesNeither() throws Exception {
        HandlerException boom = new HandlerException(new IOException("crash between step 1 and step 2"));
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            applyMessage(tx, "m1", 0, 1); // inbox, position, step 1
            throw boom; // step 2 never happens
        })).isSameAs(boom);
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            applyMessage(tx, "m2", 1, 1);
            throw new IllegalStateException("handler bug");
        })).isInstanceOf(IllegalStateException.class).hasMessage("handler bug");

        assertThat(userRow("m1")).isFalse();
        assertThat(userRow("m2")).isFalse();
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(C, "m1"))).isEqualTo(InboxStatus.ABSENT);
        assertThat(store.<Optional<Position>>inTransaction(tx -> tx.lockPosition(C, T, 0))).isEmpty();
        // Redelivery redoes it cleanly.
        store.inTransaction(tx -> applyMessage(tx, "m1", 0, 1));
        assertThat(userRow("m1")).isTrue();
    }

    @Test
    void setRollbackOnlyDiscardsTheWorkButReturnsItsValue() throws Exception {
        String result = store.inTransaction(tx -> {
            applyMessage(tx, "m1", 0, 1);
            tx.setRollbackOnly();
            return "fenced";
        });
        assertThat(result).isEqualTo("fenced");
        assertThat(userRow("m1")).isFalse();
        assertThat(store.<Optional<Position>>inTransaction(tx -> tx.lockPosition(C, T, 0))).isEmpty();
    }

    @Test
    void theHandlerCannotEndTheTransactionNorUseItAfterwards() throws Exception {
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.connection().commit();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("not allowed");
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.connection().setAutoCommit(true);
            return null;
        })).isInstanceOf(IllegalStateException.class);
        StoreTransaction leaked = store.inTransaction(tx -> tx);
        assertThatThrownBy(() -> leaked.inboxStatus(C, "m1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ended");
    }

    @Test
    void nestedTransactionsOnOneThreadAreRefused() {
        assertThatThrownBy(() -> store.inTransaction(tx -> store.inTransaction(inner -> 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nested");
    }

    @Test
    void retriableFailuresRerunTheWholeWorkOnAFreshTransaction() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        store.inTransaction(tx -> {
            applyMessage(tx, "m1", 0, 1); // would hit the primary key if an earlier attempt had leaked
            if (attempts.incrementAndGet() < 3) {
                throw retriableFailure();
            }
            return null;
        });
        assertThat(attempts).hasValue(3);
        assertThat(userRow("m1")).isTrue();

        AtomicInteger forever = new AtomicInteger();
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            forever.incrementAndGet();
            throw retriableFailure();
        })).isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retriable()).isTrue())
                .hasMessageContaining("txRetriesMax " + StoreLimits.TX_RETRIES_DEFAULT);
        assertThat(forever).hasValue(StoreLimits.TX_RETRIES_DEFAULT + 1);

        AtomicInteger once = new AtomicInteger();
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            once.incrementAndGet();
            throw new SQLException("constraint", "23000", 19);
        })).isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.retriable()).isFalse());
        assertThat(once).hasValue(1);
    }

    // ---------------------------------------------------------------- position

    @Test
    void advancePositionOnlyMovesForward() throws Exception {
        assertThat(advance(10, 1)).isEqualTo(PositionUpdate.APPLIED);
        assertThat(advance(5, 1)).isEqualTo(PositionUpdate.NOT_FORWARD);
        assertThat(advance(10, 1)).isEqualTo(PositionUpdate.NOT_FORWARD);
        assertThat(position().nextOffset()).isEqualTo(10);
        assertThat(advance(11, 1)).isEqualTo(PositionUpdate.APPLIED);
        assertThat(position()).extracting(Position::nextOffset, Position::leaseEpoch).containsExactly(11L, 1L);
    }

    @Test
    void aStaleLeaseEpochIsFencedAndChangesNothing() throws Exception {
        assertThat(advance(10, 3)).isEqualTo(PositionUpdate.APPLIED);
        long updatedAt = position().updatedAtMs();
        assertThat(advance(20, 2)).isEqualTo(PositionUpdate.FENCED);
        assertThat(advance(5, 2)).as("fencing wins over not-forward").isEqualTo(PositionUpdate.FENCED);
        assertThat(position()).isEqualTo(new Position(C, T, 0, 10, 3, updatedAt));
        assertThat(advance(20, 4)).isEqualTo(PositionUpdate.APPLIED);
        assertThat(advance(30, 3)).isEqualTo(PositionUpdate.FENCED);
        assertThat(position()).extracting(Position::nextOffset, Position::leaseEpoch).containsExactly(20L, 4L);
    }

    @Test
    void aClaimCreatesThePositionAtTheInitialOffsetRaisesTheEpochAndFencesTheOlderHolder() throws Exception {
        Position first = store.inTransaction(tx -> tx.claimPosition(C, T, 0, 7));
        assertThat(first).extracting(Position::nextOffset, Position::leaseEpoch).containsExactly(7L, 1L);
        assertThat(advance(9, 1)).isEqualTo(PositionUpdate.APPLIED);
        Position second = store.inTransaction(tx -> tx.claimPosition(C, T, 0, 0));
        assertThat(second).as("the stored offset wins over the initial one").extracting(Position::nextOffset,
                Position::leaseEpoch).containsExactly(9L, 2L);
        assertThat(advance(12, 1)).as("the first holder is fenced").isEqualTo(PositionUpdate.FENCED);
        assertThat(advance(12, 2)).isEqualTo(PositionUpdate.APPLIED);
        assertThat(position()).extracting(Position::nextOffset, Position::leaseEpoch).containsExactly(12L, 2L);
    }

    @Test
    void aClaimWaitsForTheOlderHoldersOpenTransactionAndReadsWhatItCommitted() throws Exception {
        store.inTransaction(tx -> tx.claimPosition(C, T, 0, 0));
        CountDownLatch olderHoldsRow = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> older = pool.submit(() -> store.inTransaction(tx -> {
                assertThat(tx.advancePosition(C, T, 0, 5, 1)).isEqualTo(PositionUpdate.APPLIED);
                olderHoldsRow.countDown();
                sleep(300);
                return null;
            }));
            assertThat(olderHoldsRow.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Position> claim = pool.submit(() -> store.inTransaction(tx -> tx.claimPosition(C, T, 0, 0)));
            older.get(30, TimeUnit.SECONDS);
            assertThat(claim.get(30, TimeUnit.SECONDS)).extracting(Position::nextOffset, Position::leaseEpoch)
                    .containsExactly(5L, 2L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExclusiveLockHasOneHolderUntilItIsClosed() throws Exception {
        Optional<StoreLock> first = store.tryLockExclusive("relay");
        assertThat(first).isPresent();
        assertThat(store.tryLockExclusive("relay")).as("held by the first").isEmpty();
        Optional<StoreLock> other = store.tryLockExclusive("other-name");
        assertThat(other).as("names are independent").isPresent();
        other.get().close();
        first.get().close();
        Optional<StoreLock> again = store.tryLockExclusive("relay");
        assertThat(again).isPresent();
        again.get().close();
    }

    @Test
    void twoTransactionsOnOnePositionRowAreSerialized() throws Exception {
        advance(1, 1);
        CountDownLatch firstHoldsLock = new CountDownLatch(1);
        AtomicLong firstWorkEndedNs = new AtomicLong();
        AtomicLong secondLockedNs = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = pool.submit(() -> store.inTransaction(tx -> {
                long next = tx.lockPosition(C, T, 0).orElseThrow().nextOffset();
                firstHoldsLock.countDown();
                sleep(300);
                assertThat(tx.advancePosition(C, T, 0, next + 1, 1)).isEqualTo(PositionUpdate.APPLIED);
                firstWorkEndedNs.set(System.nanoTime());
                return null;
            }));
            assertThat(firstHoldsLock.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Long> second = pool.submit(() -> store.inTransaction(tx -> {
                long seen = tx.lockPosition(C, T, 0).orElseThrow().nextOffset();
                secondLockedNs.set(System.nanoTime());
                assertThat(tx.advancePosition(C, T, 0, seen + 1, 1)).isEqualTo(PositionUpdate.APPLIED);
                return seen;
            }));
            first.get(30, TimeUnit.SECONDS);
            assertThat(second.get(30, TimeUnit.SECONDS)).as("second sees the first's update").isEqualTo(2);
            assertThat(secondLockedNs.get()).as("second waited for the first").isGreaterThan(firstWorkEndedNs.get());
            assertThat(position().nextOffset()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentReadModifyWriteOnOnePositionLosesNoUpdate() throws Exception {
        advance(1, 1);
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.inTransaction(tx -> {
                            long next = tx.lockPosition(C, T, 0).orElseThrow().nextOffset();
                            return tx.advancePosition(C, T, 0, next + 1, 1);
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(position().nextOffset()).isEqualTo(1 + threads * perThread);
    }

    // ---------------------------------------------------------------- sequence dedup (v4)

    @Test
    void sequencePositionsAreCreatedEmptyThenSavedWithTheirProcessedOffsets() throws Exception {
        List<SequencePosition> fresh = store.inTransaction(tx -> tx.lockSequencePositions(C, T, new int[] {2, 0}));
        assertThat(fresh).extracting(SequencePosition::partition).containsExactly(0, 2);
        assertThat(fresh).allSatisfy(p -> {
            assertThat(p.processed()).isEqualTo(ProcessedOffsets.below(0));
            assertThat(p.leaseEpoch()).isZero();
            assertThat(p.inboxBelow()).isZero();
        });
        store.inTransaction(tx -> {
            List<SequencePosition> rows = tx.lockSequencePositions(C, T, new int[] {0, 2});
            tx.saveSequencePositions(C, List.of(rows.get(0).plus(new long[] {3, 0, 1}, 2), rows.get(1)));
            return null;
        });
        SequencePosition p0 = store.sequencePositions(C).get(0);
        assertThat(p0.processed()).isEqualTo(ProcessedOffsets.below(2).plus(new long[] {3}));
        assertThat(p0.processed().watermark()).isEqualTo(2);
        assertThat(p0.nextOffset()).isEqualTo(4);
        assertThat(p0.leaseEpoch()).isEqualTo(2);
        assertThat(p0.processedCount()).isEqualTo(3);
        assertThat(position().nextOffset()).as("the same row as advancePosition's").isEqualTo(4);
    }

    @Test
    void aRowWrittenWithoutSequenceStateLeavesItsOffsetsToTheInbox() throws Exception {
        advance(10, 1); // message-id dedup over a source that is not sequenced: no offsets kept
        SequencePosition p = store.<List<SequencePosition>>inTransaction(
                tx -> tx.lockSequencePositions(C, T, new int[] {0})).get(0);
        assertThat(p.inboxBelow()).isEqualTo(10);
        assertThat(p.processed().watermark()).isEqualTo(10);
        assertThat(p.processedCount()).isZero();
    }

    @Test
    void aSecondTransactionLockingANewSequenceRowWaitsAndReadsWhatTheFirstCommitted() throws Exception {
        CountDownLatch firstHoldsLock = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = pool.submit(() -> store.inTransaction(tx -> {
                SequencePosition p = tx.lockSequencePositions(C, T, new int[] {0}).get(0);
                firstHoldsLock.countDown();
                sleep(300);
                tx.saveSequencePositions(C, List.of(p.plus(new long[] {0, 1, 2, 3, 4}, 1)));
                return null;
            }));
            assertThat(firstHoldsLock.await(10, TimeUnit.SECONDS)).isTrue();
            Future<SequencePosition> second = pool.submit(() -> store.inTransaction(
                    tx -> tx.lockSequencePositions(C, T, new int[] {0}).get(0)));
            first.get(30, TimeUnit.SECONDS);
            SequencePosition seen = second.get(30, TimeUnit.SECONDS);
            assertThat(seen.processed()).as("the second member sees the first's offsets: no message twice")
                    .isEqualTo(ProcessedOffsets.below(5));
            assertThat(seen.leaseEpoch()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aConditionalPositionWriteAppliesOnlyWhileEveryColumnIsTheExpectedOne() throws Exception {
        SequencePosition base = store.inTransaction(tx -> {
            List<SequencePosition> rows = tx.lockSequencePositions(C, T, new int[] {0, 1});
            List<SequencePosition> saved = List.of(rows.get(0).plus(new long[] {0, 1, 3}, 1),
                    rows.get(1).plus(new long[] {0}, 1));
            tx.saveSequencePositions(C, saved);
            return saved.get(0);
        });
        SequencePosition next = base.plus(new long[] {2, 4}, 1);
        // One column off at a time: a zombie's epoch, a watermark or ranges another writer moved, the next offset.
        List<SequencePosition> wrong = List.of(
                new SequencePosition(T, 0, base.nextOffset(), 0, base.processed(), base.inboxBelow()),
                new SequencePosition(T, 0, base.nextOffset(), 1, ProcessedOffsets.below(2), base.inboxBelow()),
                new SequencePosition(T, 0, base.nextOffset(), 1, ProcessedOffsets.below(2).plus(new long[] {4}),
                        base.inboxBelow()),
                new SequencePosition(T, 0, base.nextOffset() + 1, 1, base.processed(), base.inboxBelow()),
                new SequencePosition(T, 0, base.nextOffset(), 1, base.processed(), 1));
        for (SequencePosition w : wrong) {
            boolean applied = store.inTransaction(tx -> tx.saveSequencePositionsIfUnchanged(C, List.of(w), List.of(next)));
            assertThat(applied).as("expected %s against the stored %s", w, base).isFalse();
            assertThat(store.sequencePositions(C).get(0)).isEqualTo(base);
        }
        SequencePosition other = store.sequencePositions(C).get(1);
        SequencePosition otherNext = other.plus(new long[] {1}, 1);
        boolean applied = store.inTransaction(
                tx -> tx.saveSequencePositionsIfUnchanged(C, List.of(base, other), List.of(next, otherNext)));
        assertThat(applied).isTrue();
        assertThat(store.sequencePositions(C)).containsExactly(next, otherNext);
        assertThat(next.processed()).isEqualTo(ProcessedOffsets.below(5));
    }

    @Test
    void aConditionalPositionWriteWaitingForAnotherWriterComparesWithWhatItCommitted() throws Exception {
        SequencePosition base = store.inTransaction(tx -> {
            SequencePosition p = tx.lockSequencePositions(C, T, new int[] {0}).get(0).plus(new long[] {0, 1}, 1);
            tx.saveSequencePositions(C, List.of(p));
            return p;
        });
        CountDownLatch firstHoldsLock = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // A new lease holder locks the row and moves it; the old holder's conditional write comes meanwhile.
            Future<?> first = pool.submit(() -> store.inTransaction(tx -> {
                SequencePosition p = tx.lockSequencePositions(C, T, new int[] {0}).get(0);
                firstHoldsLock.countDown();
                sleep(300);
                tx.saveSequencePositions(C, List.of(p.plus(new long[] {2, 3}, 2)));
                return null;
            }));
            assertThat(firstHoldsLock.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Boolean> second = pool.submit(() -> store.inTransaction(tx -> tx.saveSequencePositionsIfUnchanged(
                    C, List.of(base), List.of(base.plus(new long[] {2, 3}, 1)))));
            first.get(30, TimeUnit.SECONDS);
            assertThat(second.get(30, TimeUnit.SECONDS)).as("the stale holder's write must not apply").isFalse();
        } finally {
            pool.shutdownNow();
        }
        SequencePosition stored = store.sequencePositions(C).get(0);
        assertThat(stored.leaseEpoch()).isEqualTo(2);
        assertThat(stored.processed()).isEqualTo(ProcessedOffsets.below(4));
    }

    @Test
    void batchStatementRowsRunBeforeTheCommitAndARolledBackTransactionDropsThem() throws Exception {
        String sql = "INSERT INTO account_entry (msg_id, amount) VALUES (?, ?)";
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            PreparedStatement ps = tx.batch(sql);
            ps.setString(1, "dropped");
            ps.setLong(2, 1);
            ps.addBatch();
            throw new HandlerException("rolled back", null);
        })).isInstanceOf(HandlerException.class);
        store.inTransaction(tx -> {
            for (String id : List.of("a", "b")) {
                PreparedStatement ps = tx.batch(sql);
                assertThat(ps).isSameAs(tx.batch(sql));
                ps.setString(1, id);
                ps.setLong(2, 5);
                ps.addBatch();
            }
            return null;
        });
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            PreparedStatement ps = tx.batch(sql);
            ps.setString(1, "lost");
            ps.setLong(2, 1);
            ps.addBatch();
            ps.close();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("was closed before the store executed it");
        assertThat(store.<Long>inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement();
                    ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(amount) FROM account_entry")) {
                rs.next();
                assertThat(rs.getLong(2)).isEqualTo(10);
                return rs.getLong(1);
            }
        })).as("the rolled-back and the closed rows never ran; both rows of the committed batch did").isEqualTo(2);
    }

    // ---------------------------------------------------------------- inbox

    @Test
    void aDuplicateInboxInsertIsIgnored() throws Exception {
        assertThat(store.<Boolean>inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m1", T, 0, 7, 100),
                InboxStatus.PROCESSED))).isTrue();
        assertThat(store.<Boolean>inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m1", T, 0, 8, 200),
                InboxStatus.RECEIVED))).isFalse();
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(C, "m1"))).isEqualTo(InboxStatus.PROCESSED);
        assertThat(store.inboxPage(C, InboxStatus.PROCESSED, null, 10)).singleElement()
                .satisfies(r -> assertThat(r.entry().offset()).isEqualTo(7));
        // Another consumer has its own inbox.
        assertThat(store.<Boolean>inTransaction(tx -> tx.insertInbox("audit", InboxEntry.of("m1", T, 0, 7, 100),
                InboxStatus.RECEIVED))).isTrue();
    }

    @Test
    void markProcessedMovesOnlyReceivedRows() throws Exception {
        assertThat(store.<Boolean>inTransaction(tx -> tx.markProcessed(C, "m1", 500))).isFalse();
        store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m1", T, 0, 0, 100), InboxStatus.RECEIVED));
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(C, "m1"))).isEqualTo(InboxStatus.RECEIVED);
        assertThat(store.<Boolean>inTransaction(tx -> tx.markProcessed(C, "m1", 500))).isTrue();
        assertThat(store.<Boolean>inTransaction(tx -> tx.markProcessed(C, "m1", 900))).isFalse();
        InboxRow row = store.inboxPage(C, InboxStatus.PROCESSED, null, 10).get(0);
        assertThat(row.status()).isEqualTo(InboxStatus.PROCESSED);
        assertThat(row.processedAtMs()).hasValue(500);
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m2", T, 0, 1, 1),
                InboxStatus.ABSENT))).isInstanceOf(IllegalArgumentException.class);
        assertThat(InboxStatus.PROCESSED.canMoveTo(InboxStatus.RECEIVED)).isFalse();
    }

    @Test
    void incrementAttemptsCountsAndIgnoresAbsentRows() throws Exception {
        assertThat(store.<Integer>inTransaction(tx -> tx.incrementAttempts(C, "m1"))).isZero();
        store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m1", T, 0, 0, 100), InboxStatus.RECEIVED));
        assertThat(store.<Integer>inTransaction(tx -> tx.incrementAttempts(C, "m1"))).isEqualTo(1);
        assertThat(store.<Integer>inTransaction(tx -> tx.incrementAttempts(C, "m1"))).isEqualTo(2);
        assertThat(store.inboxPage(C, InboxStatus.RECEIVED, null, 1).get(0).attempts()).isEqualTo(2);
        // A FAILED row's attempts are final: a second worker that ran it before the first one's count must not add
        // to them (two store-then-process workers did: "FAILED after 3 attempts (processAttemptsMax 2)").
        assertThat(store.<Boolean>inTransaction(tx -> tx.markFailed(C, "m1", "boom", 200))).isTrue();
        assertThat(store.<Integer>inTransaction(tx -> tx.incrementAttempts(C, "m1"))).isZero();
        assertThat(store.inboxPage(C, InboxStatus.FAILED, null, 1).get(0).attempts()).isEqualTo(2);
    }

    @Test
    void receivedBatchReturnsPayloadsOldestFirstAndOnlyReceivedRows() throws Exception {
        List<Header> headers = List.of(Header.of("trace", "t-1"), new Header("bin", new byte[] {0, 1, 2}));
        store.inTransaction(tx -> {
            tx.insertInbox(C, new InboxEntry("late", T, 0, 3, 300, bytes("k3"), bytes("v3"), headers), InboxStatus.RECEIVED);
            tx.insertInbox(C, new InboxEntry("early", T, 1, 9, 100, null, bytes("v1"), List.of()), InboxStatus.RECEIVED);
            tx.insertInbox(C, new InboxEntry("mid", T, 0, 2, 200, bytes("k2"), null, headers), InboxStatus.RECEIVED);
            tx.insertInbox(C, new InboxEntry("done", T, 0, 1, 50, null, null, List.of()), InboxStatus.PROCESSED);
            return null;
        });
        List<InboxRow> batch = store.inTransaction(tx -> tx.receivedBatch(C, 2));
        assertThat(batch).extracting(r -> r.entry().messageId()).containsExactly("early", "mid");
        InboxEntry mid = batch.get(1).entry();
        assertThat(mid.key()).isEqualTo(bytes("k2"));
        assertThat(mid.value()).isNull();
        assertThat(mid.headers()).isEqualTo(headers);
        assertThat(batch.get(0).entry().headers()).isEmpty();
        assertThat(store.<List<InboxRow>>inTransaction(tx -> tx.receivedBatch(C, 10))).hasSize(3);
    }

    @Test
    void inboxCountsAndPagesForInspect() throws Exception {
        store.inTransaction(tx -> {
            for (String id : List.of("a", "b", "c", "d", "e")) {
                tx.insertInbox(C, InboxEntry.of(id, T, 0, 0, 1), id.equals("c") ? InboxStatus.RECEIVED : InboxStatus.PROCESSED);
            }
            return null;
        });
        assertThat(store.inboxCounts(C)).isEqualTo(new InboxCounts(1, 4));
        assertThat(store.inboxCounts("nobody")).isEqualTo(new InboxCounts(0, 0));
        List<String> seen = new ArrayList<>();
        String after = null;
        for (List<InboxRow> page; !(page = store.inboxPage(C, InboxStatus.PROCESSED, after, 2)).isEmpty();) {
            page.forEach(r -> seen.add(r.entry().messageId()));
            after = page.get(page.size() - 1).entry().messageId();
        }
        assertThat(seen).containsExactly("a", "b", "d", "e");
    }

    // ---------------------------------------------------------------- outbox

    @Test
    void outboxIdsIncreaseInCommitOrderSoTheRelayNeverSkipsOne() throws Exception {
        int writers = 4;
        int txPerWriter = 200;
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Long> relayed = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            Future<?> relay = pool.submit(() -> {
                long cursor = 0;
                while (true) {
                    boolean last = !writing.get(); // read before the query: a final drain after writers stop
                    List<OutboxRow> rows = store.pendingOutbox(cursor, 100);
                    for (OutboxRow r : rows) {
                        relayed.add(r.id());
                        cursor = r.id();
                    }
                    if (last && rows.isEmpty()) {
                        return null;
                    }
                }
            });
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    Random random = new Random(writer);
                    for (int i = 0; i < txPerWriter; i++) {
                        int n = i;
                        store.inTransaction(tx -> {
                            sleep(random.nextInt(2));
                            OutboxMessage m = new OutboxMessage("out", null, bytes("v"), List.of(), "w" + writer + "-" + n, 1);
                            if (writer % 2 == 0) {
                                tx.enqueueOutbox(m);
                            } else {
                                tx.addOutbox(m); // written (and its id drawn) just before the commit
                            }
                            // Hold the transaction open after drawing the id: without ordering, a later id
                            // would commit first and the relay would move past this one.
                            if (random.nextInt(4) == 0) {
                                sleep(1);
                            }
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            relay.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        List<Long> all = store.inTransaction(tx -> longs(tx.connection(), "SELECT id FROM semel_outbox ORDER BY id"));
        assertThat(all).hasSize(writers * txPerWriter);
        assertThat(relayed).as("relay read order is strictly increasing").isSorted().doesNotHaveDuplicates();
        assertThat(relayed).as("the relay saw every id, never skipping one that committed later").isEqualTo(all);
    }

    @Test
    void pendingOutboxAndMarkSent() throws Exception {
        List<Header> headers = List.of(Header.of("semel-parent", "m1"));
        List<Long> ids = store.inTransaction(tx -> List.of(
                tx.enqueueOutbox(new OutboxMessage("invoices", bytes("k"), bytes("v1"), headers, "m1/0", 10)),
                tx.enqueueOutbox(new OutboxMessage("invoices", null, null, List.of(), "m1/1", 11)),
                tx.enqueueOutbox(new OutboxMessage("audit", bytes("k"), bytes("v3"), List.of(), "m1/2", 12))));
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        List<OutboxRow> pending = store.pendingOutbox(0, 10);
        assertThat(pending).extracting(OutboxRow::id).isEqualTo(ids);
        OutboxMessage first = pending.get(0).message();
        assertThat(first.topic()).isEqualTo("invoices");
        assertThat(first.key()).isEqualTo(bytes("k"));
        assertThat(first.value()).isEqualTo(bytes("v1"));
        assertThat(first.headers()).isEqualTo(headers);
        assertThat(first.messageId()).isEqualTo("m1/0");
        assertThat(first.createdAtMs()).isEqualTo(10);
        assertThat(pending.get(1).message().key()).isNull();
        assertThat(pending.get(1).message().value()).isNull();
        assertThat(pending.get(0).sentAtMs()).isEmpty();

        assertThat(store.pendingOutbox(ids.get(0), 10)).extracting(OutboxRow::id).isEqualTo(ids.subList(1, 3));
        assertThat(store.pendingOutbox(0, 1)).extracting(OutboxRow::id).containsExactly(ids.get(0));
        assertThat(store.markSent(ids.subList(0, 2), 1_000)).isEqualTo(2);
        assertThat(store.markSent(ids.subList(0, 2), 2_000)).as("already sent").isZero();
        assertThat(store.pendingOutbox(0, 10)).extracting(OutboxRow::id).containsExactly(ids.get(2));
        assertThat(store.markSent(List.of(), 1)).isZero();
    }

    @Test
    void outboxCommitListenersHearCommitsThatWroteOutboxRowsOnly() throws Exception {
        java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
        JdbcStore.Subscription sub = store.onOutboxCommitted(heard::incrementAndGet);
        enqueue("a");
        assertThat(heard).as("a commit with an outbox row").hasValue(1);
        store.inTransaction(tx -> {
            applyMessage(tx, "m1", 0, 1);
            return null;
        });
        assertThat(heard).as("a commit without outbox rows").hasValue(1);
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.enqueueOutbox(new OutboxMessage("a", null, bytes("v"), List.of(), "rolled-back", 1));
            throw new IllegalStateException("rollback");
        })).isInstanceOf(IllegalStateException.class);
        store.inTransaction(tx -> {
            tx.enqueueOutbox(new OutboxMessage("a", null, bytes("v"), List.of(), "rollback-only", 1));
            tx.setRollbackOnly();
            return null;
        });
        assertThat(heard).as("rollbacks").hasValue(1);
        sub.close();
        enqueue("a");
        assertThat(heard).as("after close").hasValue(1);
    }

    @Test
    void lastOutboxIdIsTheHighestCommittedIdSentOrNot() throws Exception {
        assertThat(store.lastOutboxId()).isZero();
        List<Long> ids = enqueue("a", "a");
        store.markSent(ids, 5);
        assertThat(store.lastOutboxId()).isEqualTo(ids.get(1));
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.enqueueOutbox(new OutboxMessage("a", null, bytes("v"), List.of(), "rolled-back", 1));
            throw new IllegalStateException("rollback");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store.lastOutboxId()).as("a rolled-back row is not counted").isEqualTo(ids.get(1));
    }

    @Test
    void markSentThroughMarksExactlyTheUnsentRowsOfTheRangeAndSavesTheRelayRowWithThem() throws Exception {
        List<Long> ids = enqueue("a", "a", "a", "a", "a");
        store.markSent(List.of(ids.get(1)), 500);
        store.failOutbox("relay-r", ids.get(2), "refused", 600, null);
        int marked = store.markSentThrough(ids.get(0), ids.get(3), 1_000,
                new RelayProducer("relay-r", 7, 0, ids.get(3)));
        assertThat(marked).as("rows 2..4 minus the sent row 2 and the failed row 3").isEqualTo(1);
        assertThat(store.pendingOutbox(0, 10)).extracting(OutboxRow::id).containsExactly(ids.get(0), ids.get(4));
        assertThat(store.failedOutbox(10)).hasSize(1);
        assertThat(store.loadProducer("relay-r")).contains(new RelayProducer("relay-r", 7, 0, ids.get(3)));
        assertThat(store.markSentThrough(ids.get(3), ids.get(3), 2_000, new RelayProducer("relay-r", 7, 0, ids.get(3))))
                .as("an empty range marks nothing").isZero();
        assertThatThrownBy(() -> store.markSentThrough(5, 4, 1, new RelayProducer("relay-r", 7, 0, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastId 4 is below afterId 5");
    }

    @Test
    void aDuplicateOutboxMessageIdIsRefusedAndRollsBack() throws Exception {
        store.inTransaction(tx -> tx.enqueueOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "dup", 1)));
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            applyMessage(tx, "m1", 0, 1);
            return tx.enqueueOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "dup", 2));
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("'dup'");
        assertThat(userRow("m1")).isFalse();
        assertThat(store.pendingOutbox(0, 10)).hasSize(1);
    }

    @Test
    void addedOutboxRowsAreWrittenInAddOrderWithTheirContentAcrossStatementSizes() throws Exception {
        // 300 added rows: two full statements of 128, then 32 + 8 + 4; an enqueueOutbox in the middle writes the
        // rows added before it first, so ids follow call order.
        List<String> order = new ArrayList<>();
        List<Header> headers = List.of(Header.of("semel-parent", "m1"));
        store.inTransaction(tx -> {
            for (int i = 0; i < 300; i++) {
                String id = "add-" + i;
                order.add(id);
                tx.addOutbox(new OutboxMessage("t" + (i % 3), i % 2 == 0 ? null : bytes("k" + i), bytes("v" + i),
                        i == 7 ? headers : List.of(), id, 100 + i));
                if (i == 150) {
                    order.add("enqueued");
                    tx.enqueueOutbox(new OutboxMessage("t0", null, bytes("e"), List.of(), "enqueued", 1));
                }
            }
            return null;
        });
        List<OutboxRow> rows = new ArrayList<>(store.pendingOutbox(0, 1_000));
        assertThat(rows).extracting(r -> r.message().messageId()).as("id order = call order").isEqualTo(order);
        assertThat(rows).extracting(OutboxRow::id).isSorted().doesNotHaveDuplicates();
        OutboxMessage seventh = rows.get(7).message();
        assertThat(seventh.topic()).isEqualTo("t1");
        assertThat(seventh.key()).isEqualTo(bytes("k7"));
        assertThat(seventh.value()).isEqualTo(bytes("v7"));
        assertThat(seventh.headers()).isEqualTo(headers);
        assertThat(seventh.createdAtMs()).isEqualTo(107);
        assertThat(rows.get(8).message().key()).isNull();
    }

    @Test
    void addedOutboxRowsFollowTheHandlersSavepoints() throws Exception {
        store.inTransaction(tx -> {
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "kept-before", 1));
            java.sql.Savepoint sp = tx.connection().setSavepoint();
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "rolled-back", 1));
            tx.connection().rollback(sp);
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "kept-after", 1));
            java.sql.Savepoint sp2 = tx.connection().setSavepoint();
            tx.connection().releaseSavepoint(sp2);
            return null;
        });
        assertThat(store.pendingOutbox(0, 10)).extracting(r -> r.message().messageId())
                .containsExactly("kept-before", "kept-after");
    }

    @Test
    void addedOutboxRowsOfARollbackAreNeitherWrittenNorHeard() throws Exception {
        AtomicInteger heard = new AtomicInteger();
        JdbcStore.Subscription sub = store.onOutboxCommitted(heard::incrementAndGet);
        store.inTransaction(tx -> {
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "rollback-only", 1));
            tx.setRollbackOnly();
            return null;
        });
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "thrown", 1));
            throw new IllegalStateException("rollback");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store.lastOutboxId()).isZero();
        assertThat(heard).as("rollbacks").hasValue(0);
        store.inTransaction(tx -> {
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "committed", 1));
            return null;
        });
        assertThat(heard).as("a commit whose added rows were written before it").hasValue(1);
        sub.close();
    }

    @Test
    void aDuplicateAddedOutboxMessageIdIsRefusedAtTheWriteAndRollsBack() throws Exception {
        store.inTransaction(tx -> tx.enqueueOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "dup", 1)));
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            applyMessage(tx, "m1", 0, 1);
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "fresh", 2));
            tx.addOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "dup", 2));
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("outbox already holds");
        assertThat(userRow("m1")).isFalse();
        assertThat(store.pendingOutbox(0, 10)).extracting(r -> r.message().messageId()).containsExactly("dup");
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.addOutbox(new OutboxMessage("out", null, new byte[StoreLimits.PAYLOAD_BYTES_MAX + 1], List.of(), "big", 2));
            return null;
        })).as("limits are checked when the row is added").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PAYLOAD_BYTES_MAX");
    }

    // ---------------------------------------------------------------- relay assignment (v2)

    private List<Long> enqueue(String... topics) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (String topic : topics) {
            ids.add(store.inTransaction(tx -> tx.enqueueOutbox(new OutboxMessage(topic, null, bytes("v"), List.of(),
                    "m" + System.nanoTime(), 1))));
        }
        return ids;
    }

    @Test
    void assignmentsAreStoredOnTheRowsAndAdvanceTheRelaySequence() throws Exception {
        List<Long> ids = enqueue("inv", "inv", "inv");
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(0), "inv", 1, 0),
                new OutboxAssignment(ids.get(1), "inv", 0, 0), new OutboxAssignment(ids.get(2), "inv", 1, 1)));
        List<OutboxRow> rows = store.pendingOutbox(0, 10);
        assertThat(rows).extracting(r -> r.assignment().orElseThrow()).containsExactly(
                new OutboxAssignment(ids.get(0), "inv", 1, 0), new OutboxAssignment(ids.get(1), "inv", 0, 0),
                new OutboxAssignment(ids.get(2), "inv", 1, 1));
        assertThat(store.relaySequences()).containsExactly(new RelaySequence("inv", 0, "relay", 1, -1),
                new RelaySequence("inv", 1, "relay", 2, -1));
        store.markSent(List.of(ids.get(0)), 5);
        assertThat(store.relaySequences()).contains(new RelaySequence("inv", 1, "relay", 2, 0));
        // The counter survives retention of the sent rows: sequence 0 of inv-1 is never handed out again.
        store.markSent(ids, 5);
        assertThat(store.deleteSentOutboxBefore(10, 100)).isEqualTo(3);
        assertThat(store.relaySequences()).containsExactly(new RelaySequence("inv", 0, "relay", 1, -1),
                new RelaySequence("inv", 1, "relay", 2, -1));
        long next = enqueue("inv").get(0);
        assertThatThrownBy(() -> store.assignOutbox("relay", List.of(new OutboxAssignment(next, "inv", 1, 0))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stored next sequence is 2");
        store.assignOutbox("relay", List.of(new OutboxAssignment(next, "inv", 1, 2)));
    }

    @Test
    void aBadAssignmentChangesNothing() throws Exception {
        List<Long> ids = enqueue("inv", "inv", "audit");
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(0), "inv", 0, 0)));
        // A gap inside one partition.
        assertThatThrownBy(() -> store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(1), "inv", 0, 2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("from 2").hasMessageContaining("is 1");
        // A valid first assignment followed by an already-assigned row: the whole batch rolls back.
        assertThatThrownBy(() -> store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(1), "inv", 0, 1),
                new OutboxAssignment(ids.get(0), "inv", 0, 2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("row " + ids.get(0));
        // Wrong topic for the row.
        assertThatThrownBy(() -> store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(2), "inv", 0, 1))))
                .isInstanceOf(IllegalStateException.class);
        // Another relay name on a partition this relay owns.
        assertThatThrownBy(() -> store.assignOutbox("other", List.of(new OutboxAssignment(ids.get(1), "inv", 0, 1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("relay 'relay' owns");
        assertThat(store.pendingOutbox(0, 10)).extracting(r -> r.assignment().isPresent())
                .containsExactly(true, false, false);
        assertThat(store.relaySequences()).containsExactly(new RelaySequence("inv", 0, "relay", 1, -1));
    }

    @Test
    void aVersion1StoreIsMigratedAndItsOutboxRowsAreUnassigned() throws Exception {
        List<Long> ids = enqueue("inv", "inv");
        // Turn the store back into a v1 store holding rows.
        store.inTransaction(tx -> {
            dropVersion4(tx.connection());
            exec(tx.connection(), "DROP INDEX semel_outbox_sequence");
            exec(tx.connection(), "DROP TABLE semel_relay_sequence");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN sequence");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN partition");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN attempts");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN last_error");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN failed_at_ms");
            exec(tx.connection(), "DELETE FROM semel_schema_version WHERE version >= 2");
            return null;
        });
        store.close();
        store = db.open();
        assertThat(store.schemaVersion()).isEqualTo(LATEST_VERSION);
        assertThat(store.pendingOutbox(0, 10)).extracting(OutboxRow::id).isEqualTo(ids);
        assertThat(store.pendingOutbox(0, 10)).allMatch(r -> r.assignment().isEmpty());
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(0), "inv", 0, 0)));
    }

    @Test
    void aVersion2StoreKeepsItsInboxRowsAndOutboxAssignmentsThroughTheFailedMigration() throws Exception {
        store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("parked", T, 0, 3, 100), InboxStatus.RECEIVED));
        store.inTransaction(tx -> tx.incrementAttempts(C, "parked"));
        List<Long> ids = enqueue("inv");
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(0), "inv", 0, 0)));
        store.inTransaction(tx -> {
            dropVersion4(tx.connection());
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN attempts");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN last_error");
            exec(tx.connection(), "ALTER TABLE semel_outbox DROP COLUMN failed_at_ms");
            exec(tx.connection(), "DELETE FROM semel_schema_version WHERE version = 3");
            return null;
        });
        store.close();
        store = db.open();
        assertThat(store.schemaVersion()).isEqualTo(LATEST_VERSION);
        InboxRow row = store.inboxPage(C, InboxStatus.RECEIVED, null, 10).get(0);
        assertThat(row.entry().offset()).isEqualTo(3);
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(store.<Boolean>inTransaction(tx -> tx.markFailed(C, "parked", "boom", 5))).isTrue();
        assertThat(store.pendingOutbox(0, 10)).singleElement()
                .satisfies(r -> assertThat(r.assignment()).contains(new OutboxAssignment(ids.get(0), "inv", 0, 0)));
    }

    @Test
    void markFailedIsTerminalKeepsTheErrorAndOutlivesRetention() throws Exception {
        store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m1", T, 0, 0, 100), InboxStatus.RECEIVED));
        store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of("m2", T, 0, 1, 100), InboxStatus.RECEIVED));
        assertThat(store.<Boolean>inTransaction(tx -> tx.markFailed(C, "m1", "handler threw: boom", 200))).isTrue();
        assertThat(store.<Boolean>inTransaction(tx -> tx.markFailed(C, "m1", "again", 300))).isFalse();
        assertThat(store.<Boolean>inTransaction(tx -> tx.markProcessed(C, "m1", 300))).isFalse();
        assertThat(store.<Boolean>inTransaction(tx -> tx.markFailed(C, "absent", "x", 300))).isFalse();
        assertThat(store.<List<InboxRow>>inTransaction(tx -> tx.receivedBatch(C, 10)))
                .extracting(r -> r.entry().messageId()).containsExactly("m2");
        assertThat(store.inboxCounts(C)).isEqualTo(new InboxCounts(1, 0, 1));
        assertThat(store.deleteProcessedInboxBefore(Long.MAX_VALUE, 100)).isZero();
        InboxRow failed = store.inboxPage(C, InboxStatus.FAILED, null, 10).get(0);
        assertThat(failed.status()).isEqualTo(InboxStatus.FAILED);
        assertThat(failed.lastError()).isEqualTo("handler threw: boom");
        assertThat(failed.processedAtMs()).isEmpty();
        assertThat(store.<InboxStatus>inTransaction(tx -> tx.inboxStatus(C, "m1"))).isEqualTo(InboxStatus.FAILED);
        assertThat(InboxStatus.FAILED.allowedNext()).isEmpty();
    }

    @Test
    void aFailedOutboxRowReleasesItsSequenceAndTheOnesBehindItAndEnqueuesItsDeadLetter() throws Exception {
        List<Long> ids = enqueue("inv", "inv", "inv", "audit");
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(0), "inv", 0, 0),
                new OutboxAssignment(ids.get(1), "inv", 0, 1), new OutboxAssignment(ids.get(2), "inv", 0, 2),
                new OutboxAssignment(ids.get(3), "audit", 0, 0)));
        assertThat(store.markSent(List.of(ids.get(0)), 50)).isEqualTo(1);
        assertThat(store.recordOutboxFailure(ids.get(1), "MESSAGE_TOO_LARGE first")).isEqualTo(1);
        assertThat(store.recordOutboxFailure(ids.get(1), "MESSAGE_TOO_LARGE second")).isEqualTo(2);
        assertThat(store.recordOutboxFailure(ids.get(0), "sent already")).isZero();

        store.failOutbox("relay", ids.get(1), "MESSAGE_TOO_LARGE second", 100,
                new OutboxMessage("inv.dlq", null, null, List.of(Header.of("semel.dlq.error", "too large")), "dl-1", 100));

        List<OutboxRow> pending = store.pendingOutbox(0, 10);
        assertThat(pending).extracting(OutboxRow::id).containsExactly(ids.get(2), ids.get(3), pending.get(2).id());
        assertThat(pending.get(0).assignment()).as("released behind the failed row").isEmpty();
        assertThat(pending.get(1).assignment()).as("other partitions keep theirs").isPresent();
        assertThat(pending.get(2).message().topic()).isEqualTo("inv.dlq");
        assertThat(store.relaySequences()).contains(new RelaySequence("inv", 0, "relay", 1, 0));
        assertThat(store.failedOutbox(10)).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo(ids.get(1));
            assertThat(f.attempts()).isEqualTo(2);
            assertThat(f.lastError()).isEqualTo("MESSAGE_TOO_LARGE second");
            assertThat(f.failedAtMs()).isEqualTo(100);
        });
        // The row behind takes the released sequence: no gap for the broker.
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(2), "inv", 0, 1)));
        assertThatThrownBy(() -> store.failOutbox("relay", ids.get(1), "again", 200, null))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anOutboxRowCannotFailOnceARowBehindItIsMarkedSent() throws Exception {
        List<Long> ids = enqueue("inv", "inv");
        store.assignOutbox("relay", List.of(new OutboxAssignment(ids.get(0), "inv", 0, 0),
                new OutboxAssignment(ids.get(1), "inv", 0, 1)));
        store.markSent(List.of(ids.get(1)), 10);
        assertThatThrownBy(() -> store.failOutbox("relay", ids.get(0), "x", 20, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be released");
        assertThat(store.failedOutbox(10)).isEmpty();
        assertThat(store.pendingOutbox(0, 10)).extracting(OutboxRow::id).containsExactly(ids.get(0));
    }

    /** Turns a version-4 schema back into version 3. */
    private static void dropVersion4(java.sql.Connection c) throws java.sql.SQLException {
        exec(c, "ALTER TABLE semel_position DROP COLUMN seq_watermark");
        exec(c, "ALTER TABLE semel_position DROP COLUMN seq_ranges");
        exec(c, "ALTER TABLE semel_position DROP COLUMN seq_inbox_below");
        exec(c, "DELETE FROM semel_schema_version WHERE version = 4");
    }

    // ---------------------------------------------------------------- relay producer

    @Test
    void relayProducerRowIsSavedAndLoaded() {
        assertThat(store.loadProducer("relay-1")).isEmpty();
        store.saveProducer(new RelayProducer("relay-1", 42, 1, 0));
        assertThat(store.loadProducer("relay-1")).contains(new RelayProducer("relay-1", 42, 1, 0));
        store.saveProducer(new RelayProducer("relay-1", 42, 2, 1_234));
        assertThat(store.loadProducer("relay-1")).contains(new RelayProducer("relay-1", 42, 2, 1_234));
        assertThat(store.loadProducer("relay-2")).isEmpty();
    }

    // ---------------------------------------------------------------- retention

    @Test
    void inboxRetentionDeletesOnlyOldProcessedRowsInBoundedBatches() throws Exception {
        store.inTransaction(tx -> {
            for (int i = 0; i < 25; i++) {
                tx.insertInbox(C, InboxEntry.of("old-" + i, T, 0, i, 1_000), InboxStatus.PROCESSED);
            }
            for (int i = 0; i < 5; i++) {
                tx.insertInbox(C, InboxEntry.of("new-" + i, T, 0, 100 + i, 5_000), InboxStatus.PROCESSED);
                tx.insertInbox(C, InboxEntry.of("pending-" + i, T, 0, 200 + i, 1_000), InboxStatus.RECEIVED);
            }
            return null;
        });
        assertThat(store.deleteProcessedInboxBefore(2_000, 10)).isEqualTo(10);
        assertThat(store.deleteProcessedInboxBefore(2_000, 10)).isEqualTo(10);
        assertThat(store.deleteProcessedInboxBefore(2_000, 10)).isEqualTo(5);
        assertThat(store.deleteProcessedInboxBefore(2_000, 10)).isZero();
        assertThat(store.inboxCounts(C)).isEqualTo(new InboxCounts(5, 5));
        assertThatThrownBy(() -> store.deleteProcessedInboxBefore(2_000, StoreLimits.RETENTION_BATCH_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RETENTION_BATCH_MAX");
    }

    @Test
    void outboxRetentionDeletesOnlyOldSentRowsInBoundedBatches() throws Exception {
        List<Long> ids = store.inTransaction(tx -> {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                out.add(tx.enqueueOutbox(new OutboxMessage("out", null, bytes("v"), List.of(), "o" + i, 1)));
            }
            return out;
        });
        store.markSent(ids.subList(0, 6), 1_000);
        store.markSent(ids.subList(6, 8), 5_000);
        assertThat(store.deleteSentOutboxBefore(2_000, 4)).isEqualTo(4);
        assertThat(store.deleteSentOutboxBefore(2_000, 4)).isEqualTo(2);
        assertThat(store.deleteSentOutboxBefore(2_000, 4)).isZero();
        assertThat(store.pendingOutbox(0, 100)).extracting(OutboxRow::id).isEqualTo(ids.subList(8, 10));
        assertThat(store.<Long>inTransaction(tx -> count(tx.connection(), "semel_outbox"))).isEqualTo(4);
        // Ids keep increasing after the highest rows are deleted: the relay's sequence never goes back.
        store.markSent(ids.subList(8, 10), 1_000);
        while (store.deleteSentOutboxBefore(10_000, 100) > 0) {
            // drain
        }
        long next = store.inTransaction(tx -> tx.enqueueOutbox(new OutboxMessage("out", null, null, List.of(), "o-next", 1)));
        assertThat(next).isGreaterThan(ids.get(9));
    }

    // ---------------------------------------------------------------- limits

    @Test
    void limitsAreEnforcedWithErrorsNamingThem() throws Exception {
        String longId = "x".repeat(StoreLimits.MESSAGE_ID_BYTES_MAX + 1);
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.insertInbox(C, InboxEntry.of(longId, T, 0, 0, 1),
                InboxStatus.RECEIVED))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MESSAGE_ID_BYTES_MAX").hasMessageContaining("256");
        byte[] big = new byte[StoreLimits.PAYLOAD_BYTES_MAX];
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.enqueueOutbox(new OutboxMessage("out", bytes("k"), big,
                List.of(), "big", 1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PAYLOAD_BYTES_MAX");
        assertThatThrownBy(() -> store.pendingOutbox(0, StoreLimits.OUTBOX_BATCH_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OUTBOX_BATCH_MAX");
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.receivedBatch(C, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreOptions.defaults().withTxRetriesMax(StoreLimits.TX_RETRIES_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TX_RETRIES_MAX");
        // Exactly at the limit is fine.
        String maxId = "y".repeat(StoreLimits.MESSAGE_ID_BYTES_MAX);
        assertThat(store.<Boolean>inTransaction(tx -> tx.insertInbox(C, InboxEntry.of(maxId, T, 0, 0, 1),
                InboxStatus.RECEIVED))).isTrue();
    }

    // ---------------------------------------------------------------- helpers

    /** Transactional mode for one message: step 1 of the handler, dedup record, position. */
    static Void applyMessage(StoreTransaction tx, String messageId, long offset, long leaseEpoch) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "INSERT INTO account_entry (msg_id, amount) VALUES (?, ?)")) {
            ps.setString(1, messageId);
            ps.setLong(2, 10);
            ps.executeUpdate();
        }
        assertThat(tx.insertInbox(C, InboxEntry.of(messageId, T, 0, offset, 1), InboxStatus.PROCESSED)).isTrue();
        assertThat(tx.advancePosition(C, T, 0, offset + 1, leaseEpoch)).isEqualTo(PositionUpdate.APPLIED);
        return null;
    }

    PositionUpdate advance(long nextOffset, long epoch) throws HandlerException {
        return store.inTransaction(tx -> tx.advancePosition(C, T, 0, nextOffset, epoch));
    }

    Position position() throws HandlerException {
        Optional<Position> p = store.inTransaction(tx -> tx.lockPosition(C, T, 0));
        return p.orElseThrow();
    }

    boolean userRow(String messageId) throws HandlerException {
        return store.inTransaction(tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("SELECT 1 FROM account_entry WHERE msg_id = ?")) {
                ps.setString(1, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(Connection c, String table) throws SQLException {
        return longs(c, "SELECT COUNT(*) FROM " + table).get(0);
    }

    static List<Long> longs(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
