package io.semel.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.processor.Dedup;
import io.semel.processor.Handler;
import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.ProcessedOffsets;
import io.semel.processor.store.SequencePosition;
import io.semel.processor.testing.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lease holder's cached position rows ({@link PositionCache}, {@link SequenceDedup#fromCache}) on a
 * real SQLite file and a real PostgreSQL database, driving {@link TransactionalPipeline}s directly: two
 * pipelines on one consumer play the old and the new lease holder. The handler's effect is a row per
 * application, so a message applied twice shows.
 */
class PositionCacheTest {
    private static final String C = "billing";
    private static final String T = "orders";
    private static EmbeddedPostgresServer pg;

    enum Kind {
        SQLITE, POSTGRES
    }

    @TempDir
    Path dir;

    private JdbcStore store;
    /** Offsets whose handler throws. */
    private final Set<Long> failing = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private void open(Kind kind) throws Exception {
        store = kind == Kind.SQLITE ? JdbcStore.sqlite(dir.resolve("s.db"))
                : JdbcStore.postgres(pg.freshDatabaseUrl("cache"), "postgres", "", 4);
        store.inTransaction(tx -> {
            try (Statement st = tx.connection().createStatement()) {
                st.executeUpdate("CREATE TABLE applied (msg_offset BIGINT NOT NULL)");
            }
            return null;
        });
    }

    /** One member: its pipeline, its source's acks and fence notices, its metrics. */
    private final class Member {
        final RecordingSource source = new RecordingSource();
        final ProcessorMetrics metrics = new ProcessorMetrics(new SimpleMeterRegistry(), C);
        final TransactionalPipeline pipeline = new TransactionalPipeline(new ProcessorContext(C, source, store,
                handler(), Clock.systemUTC(), metrics, 1_000, Dedup.SEQUENCE));

        void deliver(long epoch, long from, long to) {
            List<SourceMessage> batch = new ArrayList<>();
            for (long o = from; o < to; o++) {
                batch.add(SourceMessage.of(T, 0, o, 1, epoch, null, "v".getBytes(StandardCharsets.UTF_8), List.of(), 0));
            }
            pipeline.accept(batch);
        }

        SequencePosition cached() {
            return pipeline.cachedPosition(T, 0);
        }
    }

    private Handler handler() {
        return (m, tx) -> {
            if (failing.contains(m.offset())) {
                throw new IllegalStateException("refused " + m.offset());
            }
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO applied (msg_offset) VALUES (?)")) {
                ps.setLong(1, m.offset());
                ps.executeUpdate();
            }
        };
    }

    /** How many times each offset in [0, n) was applied. */
    private List<Long> appliedCounts(int n) throws Exception {
        return store.inTransaction(tx -> {
            List<Long> out = new ArrayList<>();
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "SELECT COUNT(*) FROM applied WHERE msg_offset = ?")) {
                for (int o = 0; o < n; o++) {
                    ps.setLong(1, o);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        out.add(rs.getLong(1));
                    }
                }
            }
            return out;
        });
    }

    private SequencePosition stored() {
        return store.sequencePositions(C).get(0);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theLeaseHolderWritesFromItsCacheAndTheCacheIsWhatTheStoreHolds(Kind kind) throws Exception {
        open(kind);
        Member a = new Member();
        a.deliver(1, 0, 5);
        a.deliver(1, 5, 10);
        a.deliver(1, 3, 7); // redelivered below the watermark: skipped, acked
        assertThat(appliedCounts(10)).containsOnly(1L);
        assertThat(a.cached()).isEqualTo(stored());
        assertThat(stored().processed()).isEqualTo(ProcessedOffsets.below(10));
        assertThat(a.metrics.positionStaleCount()).isZero();
        assertThat(a.source.acked).hasSize(14);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aZombieWhoseCachedPositionIsStaleIsFencedAndAppliesNothing(Kind kind) throws Exception {
        open(kind);
        Member zombie = new Member();
        zombie.deliver(1, 0, 5);
        assertThat(zombie.cached().leaseEpoch()).isEqualTo(1);

        Member next = new Member(); // the lease moved: epoch 2
        next.deliver(2, 5, 10);
        assertThat(stored().leaseEpoch()).isEqualTo(2);

        // The zombie's cache still says epoch 1, watermark 5: its conditional write must not apply.
        zombie.deliver(1, 5, 10);
        assertThat(appliedCounts(10)).as("each message applied once").containsOnly(1L);
        assertThat(zombie.metrics.positionStaleCount()).isEqualTo(1);
        assertThat(zombie.metrics.fencedCount()).isEqualTo(1);
        assertThat(zombie.source.fenced).containsExactly(T + "/0");
        assertThat(zombie.source.acked).as("the zombie acks nothing of the fenced batch").hasSize(5);
        assertThat(zombie.cached()).as("a fenced partition is forgotten").isNull();
        assertThat(stored().leaseEpoch()).isEqualTo(2);
        assertThat(stored().processed()).isEqualTo(ProcessedOffsets.below(10));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRowAnotherWriterMovedUnderTheSameEpochIsReadAgainAndItsOffsetsSkipped(Kind kind) throws Exception {
        open(kind);
        Member a = new Member();
        a.deliver(1, 0, 5);
        Member b = new Member(); // same epoch: only the processed offsets tell the rows apart
        b.deliver(1, 5, 10);

        a.deliver(1, 5, 12);
        assertThat(appliedCounts(12)).as("5..9 skipped by a, 10 and 11 applied once").containsOnly(1L);
        assertThat(a.metrics.positionStaleCount()).isEqualTo(1);
        assertThat(a.metrics.fencedCount()).isZero();
        assertThat(a.source.acked).hasSize(12);
        assertThat(a.cached()).isEqualTo(stored());
        assertThat(stored().processed()).isEqualTo(ProcessedOffsets.below(12));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRolledBackBatchLeavesTheCacheAtTheCommittedRows(Kind kind) throws Exception {
        open(kind);
        Member a = new Member();
        a.deliver(1, 0, 5);
        SequencePosition before = a.cached();

        failing.add(7L);
        // The batch rolls back, then runs one message per transaction: 5, 6, 8, 9 commit, 7 is nacked.
        a.deliver(1, 5, 10);
        assertThat(a.source.nacked).containsExactly(7L);
        assertThat(a.metrics.positionStaleCount()).as("every transaction after the rollback found the rows it "
                + "cached: the rollback did not advance the cache").isZero();
        assertThat(a.cached()).isEqualTo(stored()).isNotEqualTo(before);
        assertThat(stored().processed()).isEqualTo(ProcessedOffsets.below(7).plus(new long[] {8, 9}));

        failing.clear();
        a.deliver(1, 7, 8); // the redelivery of the nacked message
        assertThat(appliedCounts(10)).containsOnly(1L);
        assertThat(stored().processed()).isEqualTo(ProcessedOffsets.below(10));
        assertThat(a.cached()).isEqualTo(stored());
        assertThat(a.metrics.positionStaleCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRowWithMoreGapsThanTheCacheHoldsIsReadEveryTimeAndStaysExact(Kind kind) throws Exception {
        open(kind);
        Member a = new Member();
        // Every other offset fails once: RANGES_MAX + 1 gaps below processed offsets.
        int n = 2 * (PositionCache.RANGES_MAX + 1);
        for (long o = 0; o < n; o += 2) {
            failing.add(o);
        }
        a.deliver(1, 0, n);
        assertThat(stored().processed().rangeCount()).isEqualTo(PositionCache.RANGES_MAX + 1);
        assertThat(a.cached()).as("too many ranges to remember").isNull();
        failing.clear();
        a.deliver(1, 0, n);
        assertThat(appliedCounts(n)).containsOnly(1L);
        assertThat(stored().processed()).isEqualTo(ProcessedOffsets.below(n));
        assertThat(a.cached()).isEqualTo(stored());
    }

    /** A sequenced source that records what the pipeline settles. */
    private static final class RecordingSource implements Source {
        final List<Long> acked = new ArrayList<>();
        final List<Long> nacked = new ArrayList<>();
        final List<String> fenced = new ArrayList<>();

        @Override
        public List<SourceMessage> poll(Duration timeout) {
            return List.of();
        }

        @Override
        public int ack(List<SourceMessage> messages) {
            messages.forEach(m -> acked.add(m.offset()));
            return messages.size();
        }

        @Override
        public void nack(SourceMessage message, String errorText) {
            nacked.add(message.offset());
        }

        @Override
        public void onFenced(String topic, int partition) {
            fenced.add(topic + "/" + partition);
        }

        @Override
        public long redeliveryHorizonMs() {
            return 1_000;
        }

        @Override
        public boolean isLastDelivery(SourceMessage message) {
            return false;
        }

        @Override
        public boolean sequenced() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
