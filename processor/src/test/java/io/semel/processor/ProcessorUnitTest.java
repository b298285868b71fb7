package io.semel.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.processor.internal.InboxCleaner;
import io.semel.processor.store.InboxEntry;
import io.semel.processor.store.InboxStatus;
import io.semel.processor.store.JdbcStore;
import io.semel.protocol.Header;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings, ids and retention, without a broker. */
class ProcessorUnitTest {
    @TempDir
    Path dir;

    @Test
    void messageIdIsTheApplicationKeyHeaderWhenPresentElseTopicPartitionOffset() {
        assertThat(SourceMessage.messageIdOf("t", 2, 17, List.of())).isEqualTo("t/2/17");
        assertThat(SourceMessage.messageIdOf("t", 2, 17, List.of(Header.of("semel.id", "order-9"))))
                .isEqualTo("order-9");
        assertThat(SourceMessage.messageIdOf("t", 2, 17, List.of(Header.of("semel.id", "")))).isEqualTo("t/2/17");
    }

    @Test
    void redeliveryHorizonCoversEveryDeliveryTimingOutOrBackingOffAtTheCap() {
        assertThat(new RedeliverySettings(30_000, 5, 10_000).redeliveryHorizonMs()).isEqualTo(200_000);
        assertThatThrownBy(() -> new RedeliverySettings(0, 5, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ackTimeoutMs must be > 0 (was 0)");
    }

    @Test
    void builderRejectsOutOfRangeSettingsNamingThem() {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("s.db"))) {
            ExactlyOnceProcessor.Builder b = ExactlyOnceProcessor.builder().source(new StubSource(1_000)).store(store)
                    .consumer("c").handler((m, tx) -> { });
            assertThatThrownBy(() -> b.batchSize(0).build()).hasMessageContaining("batchSize is 0; it must be in 1..10000");
            assertThatThrownBy(() -> b.batchSize(10_001).build()).hasMessageContaining("batchSize is 10001");
            assertThatThrownBy(() -> b.batchSize(10).concurrency(4).build())
                    .hasMessageContaining("concurrency 4 applies to STORE_THEN_PROCESS only");
        }
    }

    @Test
    void startIsRefusedUnlessRetentionIsLongerThanTheHorizonAndThenTheSourceIsUntouched() {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("s.db"))) {
            StubSource source = new StubSource(150_000);
            ExactlyOnceProcessor p = ExactlyOnceProcessor.builder().source(source).store(store).consumer("c")
                    .handler((m, tx) -> { }).inboxRetentionMs(150_000).build();
            assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inboxRetentionMs 150000 must be greater than the source's redeliveryHorizonMs 150000")
                    .hasMessageContaining("ackTimeoutMs");
            assertThat(source.polls).hasValue(0);
            ExactlyOnceProcessor ok = ExactlyOnceProcessor.builder().source(new StubSource(150_000)).store(store)
                    .consumer("c").handler((m, tx) -> { }).inboxRetentionMs(150_001).build();
            ok.start();
            ok.stop();
            assertThat(ok.status().state()).isEqualTo(ProcessorStatus.State.STOPPED);
        }
    }

    @Test
    void retentionDeletesOnlyProcessedRowsOlderThanTheRetentionInBoundedBatches() throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("r.db"))) {
            int old = InboxCleaner.DELETE_BATCH_ROWS + 5;
            store.inTransaction(tx -> {
                for (int i = 0; i < old; i++) {
                    tx.insertInbox("c", InboxEntry.of("old-" + i, "t", 0, i, 1_000), InboxStatus.PROCESSED);
                }
                tx.insertInbox("c", InboxEntry.of("recv-old", "t", 0, 9_999, 1_000), InboxStatus.RECEIVED);
                return null;
            });
            AtomicLong now = new AtomicLong(1_000);
            InstantSource clock = () -> Instant.ofEpochMilli(now.get());
            store.inTransaction(tx -> tx.insertInbox("c", InboxEntry.of("young", "t", 0, 10_000, 50_000),
                    InboxStatus.PROCESSED));
            // processed_at_ms is the insert time, taken by the store from the entry's receivedAtMs.
            InboxCleaner cleaner = new InboxCleaner(store, clock, Duration.ofSeconds(30).toMillis());
            now.set(60_000); // cutoff 30,000: the old ones (at 1,000) go, "young" (50,000) stays
            assertThat(cleaner.runOnce()).isEqualTo(old);
            assertThat(store.inboxCounts("c").processed()).isEqualTo(1);
            assertThat(store.inboxCounts("c").received()).as("RECEIVED rows are never deleted").isEqualTo(1);
        }
    }

    /** A source with nothing to deliver. */
    static final class StubSource implements Source {
        final long horizonMs;
        final AtomicLong polls = new AtomicLong();

        StubSource(long horizonMs) {
            this.horizonMs = horizonMs;
        }

        @Override
        public List<SourceMessage> poll(Duration timeout) {
            polls.incrementAndGet();
            try {
                Thread.sleep(Math.min(timeout.toMillis(), 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }

        @Override
        public int ack(List<SourceMessage> messages) {
            return messages.size();
        }

        @Override
        public void nack(SourceMessage message, String errorText) {
        }

        @Override
        public long redeliveryHorizonMs() {
            return horizonMs;
        }

        @Override
        public boolean isLastDelivery(SourceMessage message) {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
