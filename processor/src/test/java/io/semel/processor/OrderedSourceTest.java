package io.semel.processor;

import static io.semel.processor.Bank.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxMessage;
import io.semel.processor.store.OutboxRow;
import io.semel.processor.store.ProcessedOffsets;
import io.semel.processor.testing.Applied;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The processor's handling of an {@link Source#ordered() ordered} source (Kafka's semantics) over an
 * in-memory one-partition log and a real SQLite store, without a broker: dead letters through the
 * outbox, never past an unsettled message, the mode it refuses, and how a {@link SourceException}
 * from its poll is handled.
 */
class OrderedSourceTest {
    private static final String TOPIC = "t";
    private static final String GROUP = "g";

    @TempDir
    Path dir;

    private JdbcStore store;
    private ExactlyOnceProcessor processor;

    @AfterEach
    void tearDown() {
        if (processor != null) {
            processor.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** How the processor deduplicates: by sequence or by message id over a sequenced source, or a source that is not sequenced. */
    enum Variant {
        SEQUENCE, MESSAGE_ID, UNSEQUENCED
    }

    private ExactlyOnceProcessor start(Source source) {
        return start(source, Variant.SEQUENCE);
    }

    private ExactlyOnceProcessor start(Source source, Variant variant) {
        store = JdbcStore.sqlite(dir.resolve("s.db"));
        ExactlyOnceProcessor.Builder b = ExactlyOnceProcessor.builder();
        if (variant != Variant.UNSEQUENCED) {
            b.dedup(Dedup.valueOf(variant.name()));
        }
        processor = b.source(source).store(store).consumer(GROUP)
                .handler((m, tx) -> {
                    if (new String(m.value(), StandardCharsets.UTF_8).equals("poison")) {
                        throw new IllegalStateException("refused " + m.messageId());
                    }
                }).inboxRetentionMs(Duration.ofDays(1).toMillis()).build();
        processor.start();
        return processor;
    }

    private long position() throws Exception {
        return store.inTransaction(tx -> tx.lockPosition(GROUP, TOPIC, 0).map(p -> p.nextOffset()).orElse(-1L));
    }

    private static Map<String, String> headers(OutboxMessage m) {
        Map<String, String> out = new HashMap<>();
        for (Header h : m.headers()) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aPoisonMessageIsDeadLetteredThroughTheOutboxBeforeAnyLaterMessageOfItsPartitionCommits(Variant variant)
            throws Exception {
        LogSource source = new LogSource(3, variant != Variant.UNSEQUENCED);
        for (int i = 0; i < 10; i++) {
            source.append(i == 4 ? "poison" : "ok-" + i, List.of());
        }
        start(source, variant);
        await().atMost(Duration.ofSeconds(30)).until(() -> position() == 10);
        // Counted after the commit returns: the position can be read a moment earlier.
        await().atMost(Duration.ofSeconds(10)).until(() -> processor.status().processed() == 9);
        assertThat(store.inboxCounts(GROUP).processed()).isEqualTo(variant == Variant.SEQUENCE ? 0 : 9);
        if (variant != Variant.UNSEQUENCED) {
            // The dead-lettered offset is settled: the watermark passes it, nothing is left above.
            assertThat(store.sequencePositions(GROUP)).singleElement()
                    .satisfies(p -> assertThat(p.processed()).isEqualTo(ProcessedOffsets.below(10)));
        }
        List<OutboxRow> out = store.pendingOutbox(0, 100);
        // The dead letter moves the position from 4 to 5 in its transaction: had a later message
        // committed first, the position would be past 4 and no copy would be written.
        assertThat(out).hasSize(1);
        OutboxMessage dlq = out.get(0).message();
        assertThat(dlq.topic()).isEqualTo("t.dlq");
        assertThat(dlq.messageId()).isEqualTo("t/0/4#dlq");
        assertThat(new String(dlq.value(), StandardCharsets.UTF_8)).isEqualTo("poison");
        assertThat(headers(dlq)).containsEntry("semel.dlq.reason", "max-deliveries-exceeded")
                .containsEntry("semel.dlq.delivery-count", "3").containsEntry("semel.dlq.topic", TOPIC)
                .containsEntry("semel.dlq.partition", "0").containsEntry("semel.dlq.offset", "4")
                .containsEntry("semel.dlq.group", GROUP).containsEntry("semel.id", "t/0/4#dlq");
        assertThat(headers(dlq).get("semel.dlq.error")).contains("refused t/0/4");
        assertThat(processor.status().nacked()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void anUnstorableMessageIsDeadLetteredInOrderWithTheReasonAndTheOthersApplied(Variant variant) throws Exception {
        LogSource source = new LogSource(3, variant != Variant.UNSEQUENCED);
        for (int i = 0; i < 5; i++) {
            source.append("ok-" + i, i == 2 ? List.of(Header.of("semel.id", "x".repeat(300))) : List.of());
        }
        start(source, variant);
        await().atMost(Duration.ofSeconds(30)).until(() -> position() == 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> processor.status().processed() == 4);
        List<OutboxRow> out = store.pendingOutbox(0, 100);
        assertThat(out).hasSize(1);
        Map<String, String> h = headers(out.get(0).message());
        assertThat(h).containsEntry("semel.dlq.reason", "unstorable").containsEntry("semel.dlq.offset", "2")
                .containsEntry("semel.id", "t/0/2#dlq");
        assertThat(h.get("semel.dlq.error")).startsWith("cannot be stored: ").doesNotContain("cannot be stored: cannot")
                .contains("255");
    }

    @Test
    void storeThenProcessIsRefusedAtStartForAnOrderedSource() {
        store = JdbcStore.sqlite(dir.resolve("s.db"));
        processor = ExactlyOnceProcessor.builder().source(new LogSource(3)).store(store).consumer(GROUP)
                .handler((m, tx) -> { }).mode(ProcessingMode.STORE_THEN_PROCESS)
                .inboxRetentionMs(Duration.ofDays(1).toMillis()).build();
        assertThatThrownBy(processor::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STORE_THEN_PROCESS is not supported with an ordered source")
                .hasMessageContaining("Use mode(TRANSACTIONAL)");
        assertThat(processor.status().state()).isEqualTo(ProcessorStatus.State.NEW);
    }

    @Test
    void aRetriableSourceExceptionBacksOffAndPollsAgainWithoutStoppingTheProcessor() throws Exception {
        LogSource log = new LogSource(3);
        for (int i = 0; i < 3; i++) {
            log.append("ok-" + i, List.of());
        }
        AtomicInteger failures = new AtomicInteger(2);
        start(new ForwardingSource(log) {
            @Override
            public List<SourceMessage> poll(Duration timeout) {
                if (failures.getAndDecrement() > 0) {
                    throw new SourceException("broker unreachable", true, null);
                }
                return super.poll(timeout);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> position() == 3);
        assertThat(processor.status().state()).isEqualTo(ProcessorStatus.State.RUNNING);
        assertThat(Applied.count(store, GROUP)).isEqualTo(3);
    }

    @Test
    void aNonRetriableSourceExceptionStopsTheProcessorAsFailedWithItsMessage() {
        start(new ForwardingSource(new LogSource(3)) {
            @Override
            public List<SourceMessage> poll(Duration timeout) {
                throw new SourceException("position outside what the log holds; an operator decides", false, null);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> processor.status().state() == ProcessorStatus.State.FAILED);
        assertThat(processor.status().lastError()).contains("source stopped")
                .contains("position outside what the log holds; an operator decides");
    }

    /**
     * One partition in memory that redelivers by position like Kafka: a poll returns everything from
     * the fetch position and moves it to the end; a nack seeks back to the message. Its claim epoch
     * comes from the store at bind, as KafkaSource's does. Thread-safe (the test thread appends).
     */
    static final class LogSource implements Source {
        private final int maxDeliveries;
        private final boolean sequenced;
        private final List<SourceMessage> log = new ArrayList<>();
        private final Map<Long, Integer> nacks = new HashMap<>();
        private long fetch;
        private long epoch;

        LogSource(int maxDeliveries) {
            this(maxDeliveries, true);
        }

        LogSource(int maxDeliveries, boolean sequenced) {
            this.maxDeliveries = maxDeliveries;
            this.sequenced = sequenced;
        }

        @Override
        public boolean sequenced() {
            return sequenced;
        }

        synchronized void append(String value, List<Header> headers) {
            log.add(SourceMessage.of(TOPIC, 0, log.size(), 1, 0, null, utf8(value), headers, 0));
        }

        @Override
        public synchronized void bind(String consumer, JdbcStore store) {
            try {
                io.semel.processor.store.Position p = store.inTransaction(
                        tx -> tx.claimPosition(consumer, TOPIC, 0, 0));
                fetch = p.nextOffset();
                epoch = p.leaseEpoch();
            } catch (io.semel.processor.store.HandlerException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean ordered() {
            return true;
        }

        @Override
        public List<SourceMessage> poll(Duration timeout) {
            synchronized (this) {
                if (fetch < log.size()) {
                    List<SourceMessage> out = new ArrayList<>();
                    for (long o = fetch; o < log.size(); o++) {
                        SourceMessage m = log.get((int) o);
                        out.add(SourceMessage.of(TOPIC, 0, o, 1 + nacks.getOrDefault(o, 0), epoch, m.key(), m.value(),
                                m.headers(), 0));
                    }
                    fetch = log.size();
                    return out;
                }
            }
            SourceContractTest.sleepMs(Math.min(timeout.toMillis(), 10));
            return List.of();
        }

        @Override
        public int ack(List<SourceMessage> messages) {
            return messages.size();
        }

        @Override
        public synchronized void nack(SourceMessage message, String errorText) {
            nacks.merge(message.offset(), 1, Integer::sum);
            fetch = message.offset();
        }

        @Override
        public long redeliveryHorizonMs() {
            return 1_000;
        }

        @Override
        public boolean isLastDelivery(SourceMessage message) {
            return message.deliveryCount() >= maxDeliveries;
        }

        @Override
        public void close() {
        }
    }
}
