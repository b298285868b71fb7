package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.group.GroupRecord.DeliveredRange;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Deliveries}: runs joined exactly where they continue, and the list of Deliveries they imply. */
class DeliveriesTest {
    private static final GroupConfig CONFIG = GroupConfig.builder().ackTimeoutMs(1_000).maxUnackedPerMember(100)
            .deliveryWindowMax(100).build();

    /** One stored batch of {@code count} records, values "v<i>". */
    private static RecordBatch batch(int count) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(LogRecord.of(null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return RecordBatch.of(7L, records);
    }

    private static MessageRun run(long firstOffset, long timestampMs, RecordBatch parts, int from, int to) {
        return new MessageRun(firstOffset, timestampMs, parts.records(from, to));
    }

    private static String value(Delivery d) {
        return new String(d.message().decoded().value(), StandardCharsets.UTF_8);
    }

    @Test
    void aRunThatContinuesThePreviousJoinsIt() {
        RecordBatch parts = batch(6);
        Deliveries d = new Deliveries.Builder(4).add(2, 9, 1, run(100, 5, parts, 0, 2))
                .add(2, 9, 1, run(102, 5, parts, 2, 3)).add(2, 9, 1, run(103, 5, parts, 3, 6)).build();
        assertThat(d.runs()).hasSize(1);
        Deliveries.Run r = d.runs().get(0);
        assertThat(r.messages().firstOffset()).isEqualTo(100);
        assertThat(r.messages().count()).isEqualTo(6);
        assertThat(r.messages().records()).isEqualTo(parts.records(0, 6));
        assertThat(List.of(r.partition(), r.leaseEpoch(), r.deliveryCount())).containsExactly(2, 9L, 1);
        assertThat(d).hasSize(6);
    }

    @Test
    void runsThatDoNotContinueThePreviousStayApart() {
        RecordBatch parts = batch(4);
        RecordBatch other = batch(4);
        MessageRun first = run(10, 5, parts, 0, 2);
        record Case(String why, int partition, long epoch, int count, MessageRun next) {
        }
        List<Case> cases = List.of(
                new Case("other partition", 1, 3, 1, run(12, 5, parts, 2, 4)),
                new Case("other lease", 0, 4, 1, run(12, 5, parts, 2, 4)),
                new Case("other delivery count", 0, 3, 2, run(12, 5, parts, 2, 4)),
                new Case("not the next offset", 0, 3, 1, run(13, 5, parts, 2, 4)),
                new Case("other timestamp", 0, 3, 1, run(12, 6, parts, 2, 4)),
                new Case("records of another batch", 0, 3, 1, run(12, 5, other, 2, 4)),
                new Case("records not adjoining", 0, 3, 1, run(12, 5, parts, 3, 4)));
        for (Case c : cases) {
            Deliveries d = new Deliveries.Builder(2).add(0, 3, 1, first).add(c.partition, c.epoch, c.count, c.next)
                    .build();
            assertThat(d.runs()).as(c.why).hasSize(2);
            assertThat(d.runs().get(1)).isEqualTo(new Deliveries.Run(c.partition, c.epoch, c.count, c.next));
        }
        Deliveries joined = new Deliveries.Builder(2).add(0, 3, 1, first).add(0, 3, 1, run(12, 5, parts, 2, 4))
                .build();
        assertThat(joined.runs()).as("all of it the same: one run").hasSize(1);
    }

    @Test
    void getIsTheDeliveryTheRunsImply() {
        RecordBatch parts = batch(5);
        RecordBatch other = batch(3);
        Deliveries d = new Deliveries.Builder(3).add(0, 3, 1, run(10, 5, parts, 0, 3))
                .add(1, 4, 2, run(7, 6, other, 1, 2)).add(0, 3, 1, run(13, 5, parts, 3, 5)).build();
        assertThat(d.runs()).hasSize(3);
        List<Delivery> expected = List.of(
                new Delivery(0, 10, 1, 3, new Message(10, 5, parts.records(0, 1))),
                new Delivery(0, 11, 1, 3, new Message(11, 5, parts.records(1, 2))),
                new Delivery(0, 12, 1, 3, new Message(12, 5, parts.records(2, 3))),
                new Delivery(1, 7, 2, 4, new Message(7, 6, other.records(1, 2))),
                new Delivery(0, 13, 1, 3, new Message(13, 5, parts.records(3, 4))),
                new Delivery(0, 14, 1, 3, new Message(14, 5, parts.records(4, 5))));
        assertThat(d).isEqualTo(expected).hasSameHashCodeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(d.get(i)).as("delivery %d", i).isEqualTo(expected.get(i));
        }
        assertThat(value(d.get(2))).isEqualTo("v2");
        assertThat(value(d.get(3))).isEqualTo("v1");
        assertThatThrownBy(() -> d.get(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> d.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Deliveries.empty().get(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(new Deliveries.Builder(0).build()).isSameAs(Deliveries.empty()).isEmpty();

        Deliveries again = Deliveries.of(new ArrayList<>(expected));
        assertThat(again).isEqualTo(expected);
        assertThat(again.runs()).as("joined where the messages' records adjoin").hasSize(3);
        assertThat(Deliveries.of(d)).isSameAs(d);
    }

    @Test
    void aPollOverTestLogHandsOutTheSameDeliveries() {
        Shell shell = new Shell(CONFIG, "orders", 2);
        TestLog log = new TestLog(2).appendAll(8);
        String m = shell.run(shell.group.join("c", "orders", 0, 0)).reply().memberId();
        Decision<Deliveries> d = shell.run(shell.group.poll(m, 12, 0, log));
        assertThat(d.error()).isEqualTo(ErrorCode.NONE);
        Deliveries got = d.reply();
        assertThat(got).hasSize(12);
        for (Delivery x : got) {
            assertThat(value(x)).isEqualTo("p" + x.partition() + "-" + x.offset());
            assertThat(x.deliveryCount()).isEqualTo(1);
            assertThat(x.leaseEpoch()).isEqualTo(shell.group.leaseEpoch(x.partition()));
            assertThat(x.message()).isEqualTo(log.read(x.partition(), x.offset(), 1).get(0));
        }
        assertThat(got.runs()).as("TestLog's records are separate arrays: a run per message").hasSize(12);
        int fromFirst = got.get(0).partition();
        assertThat(got).extracting(Delivery::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 0L, 1L, 2L, 3L);
        assertThat(got.subList(0, 8)).allMatch(x -> x.partition() == fromFirst);
        assertThat(d.records()).contains(new DeliveredRange(fromFirst, 0, 7, 1), new DeliveredRange(1 - fromFirst, 0, 3, 1));
    }

    /** A log of stored batches of 4 messages, read as runs within a batch: the core joins nothing across them. */
    private static final class BatchLog implements LogView {
        final List<RecordBatch> batches = new ArrayList<>();

        BatchLog(int messages) {
            for (int b = 0; b * 4 < messages; b++) {
                List<LogRecord> records = new ArrayList<>();
                for (int i = b * 4; i < Math.min(messages, b * 4 + 4); i++) {
                    records.add(LogRecord.of(null, ("p0-" + i).getBytes(StandardCharsets.UTF_8)));
                }
                batches.add(RecordBatch.of(1_000 + b, records));
            }
        }

        @Override
        public long logEndOffset(int partition) {
            return batches.stream().mapToInt(RecordBatch::recordCount).sum();
        }

        @Override
        public List<MessageRun> readRuns(int partition, long fromOffset, int maxMessages) {
            List<MessageRun> out = new ArrayList<>();
            long next = fromOffset;
            int left = maxMessages;
            while (left > 0 && next < logEndOffset(partition)) {
                int b = (int) (next / 4);
                int from = (int) (next % 4);
                int to = Math.min(batches.get(b).recordCount(), from + left);
                out.add(new MessageRun(next, 1_000 + b, batches.get(b).records(from, to)));
                left -= to - from;
                next += to - from;
            }
            return out;
        }

        @Override
        public List<Message> read(int partition, long fromOffset, int maxMessages) {
            List<Message> out = new ArrayList<>();
            for (MessageRun r : readRuns(partition, fromOffset, maxMessages)) {
                for (int i = 0; i < r.count(); i++) {
                    out.add(r.message(i));
                }
            }
            return out;
        }
    }

    @Test
    void aPollOverStoredBatchesIsARunPerBatchAndTheSameDeliveriesAsMessageByMessage() {
        BatchLog batches = new BatchLog(14);
        // The same log read message by message (LogView's default readRuns): a run per message.
        LogView byMessage = new LogView() {
            @Override
            public long logEndOffset(int partition) {
                return batches.logEndOffset(partition);
            }

            @Override
            public List<Message> read(int partition, long fromOffset, int maxMessages) {
                return batches.read(partition, fromOffset, maxMessages);
            }
        };
        Shell a = new Shell(CONFIG, "orders", 1);
        Shell b = new Shell(CONFIG, "orders", 1);
        String ma = a.run(a.group.join("c", "orders", 0, 0)).reply().memberId();
        String mb = b.run(b.group.join("c", "orders", 0, 0)).reply().memberId();
        a.run(a.group.poll(ma, 2, 0, batches));
        b.run(b.group.poll(mb, 2, 0, byMessage));

        Decision<Deliveries> runs = a.run(a.group.poll(ma, 11, 0, batches)); // 2..12: batches 0 (part), 1, 2, 3 (part)
        Decision<Deliveries> single = b.run(b.group.poll(mb, 11, 0, byMessage));
        assertThat(runs.reply()).isEqualTo(single.reply()).hasSize(11);
        assertThat(runs.reply()).extracting(DeliveriesTest::value).first().isEqualTo("p0-2");
        assertThat(runs.reply().runs()).extracting(r -> r.messages().firstOffset()).containsExactly(2L, 4L, 8L, 12L);
        assertThat(runs.reply().runs()).extracting(r -> r.messages().count()).containsExactly(2, 4, 4, 1);
        assertThat(single.reply().runs()).as("one run per message, joined again where records adjoin")
                .isEqualTo(runs.reply().runs());
        assertThat(runs.records()).isEqualTo(single.records());
        assertThat(runs.records()).contains(new DeliveredRange(0, 2, 12, 1));
    }
}
