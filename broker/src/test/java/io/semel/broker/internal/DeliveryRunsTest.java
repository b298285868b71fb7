package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.Delivery;
import io.semel.broker.group.Message;
import io.semel.protocol.DeliveryRun;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import io.semel.protocol.RecordSlice;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the coordinator cuts a poll's deliveries into POLL v4 runs: one run per stretch of consecutive
 * offsets whose records lie side by side in one stored batch and share partition, lease, count and
 * timestamp; a new run at every other boundary.
 */
class DeliveryRunsTest {
    /** The messages of one stored batch of {@code count} records from {@code base}, as the log view gives them. */
    private static Message[] batch(long base, int count, long timestampMs) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(LogRecord.of(null, ("v" + (base + i)).getBytes(StandardCharsets.UTF_8)));
        }
        RecordSlice[] slices = RecordBatch.of(timestampMs, records).withBaseOffset(base).records(0, count).split();
        Message[] out = new Message[count];
        for (int i = 0; i < count; i++) {
            out[i] = new Message(base + i, timestampMs, slices[i]);
        }
        return out;
    }

    private static Delivery d(Message m, int partition, int count, long epoch) {
        return new Delivery(partition, m.offset(), count, epoch, m);
    }

    private static String runs(List<DeliveryRun> runs) {
        StringBuilder b = new StringBuilder();
        for (DeliveryRun r : runs) {
            b.append(r.partition()).append('@').append(r.firstOffset()).append('+').append(r.records().count())
                    .append("x").append(r.deliveryCount()).append(' ');
        }
        return b.toString().trim();
    }

    @Test
    void aStoredBatchDeliveredInOrderIsOneRunAndEveryBoundaryCutsIt() {
        Message[] a = batch(0, 5, 100);
        Message[] b = batch(5, 3, 100); // same timestamp, next offsets, but another array
        List<Delivery> in = new ArrayList<>();
        in.add(d(a[1], 0, 2, 7)); // a redelivery first
        for (int i = 2; i < 5; i++) {
            in.add(d(a[i], 0, 1, 7));
        }
        for (Message m : b) {
            in.add(d(m, 0, 1, 7));
        }
        Message[] c = batch(0, 2, 300);
        in.add(d(c[0], 1, 1, 2)); // another partition
        in.add(d(c[1], 1, 1, 3)); // another lease epoch
        List<DeliveryRun> runs = GroupCoordinator.runs("t", in);
        assertThat(runs(runs)).isEqualTo("0@1+1x2 0@2+3x1 0@5+3x1 1@0+1x1 1@1+1x1");
        List<String> values = new ArrayList<>();
        runs.forEach(r -> r.records().forEach((i, k, v, h) -> values.add(new String(v, StandardCharsets.UTF_8))));
        assertThat(values).containsExactly("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v0", "v1");
        assertThat(runs).allSatisfy(r -> assertThat(r.topic()).isEqualTo("t"));
    }

    @Test
    void aMessageHoldsExactlyOneRecord() {
        RecordSlice two = RecordSlice.of(List.of(LogRecord.of(null, null), LogRecord.of(null, null)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Message(0, 0, two))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 2");
    }

    @Test
    void aGapInOffsetsCutsTheRunEvenInsideOneBatch() {
        Message[] a = batch(10, 4, 100);
        List<DeliveryRun> runs = GroupCoordinator.runs("t", List.of(d(a[0], 0, 1, 1), d(a[1], 0, 1, 1),
                d(a[3], 0, 1, 1)));
        assertThat(runs(runs)).isEqualTo("0@10+2x1 0@13+1x1");
        assertThat(GroupCoordinator.runs("t", List.of())).isEmpty();
    }
}
