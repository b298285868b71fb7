package io.semel.log.producer;

import static io.semel.log.producer.TestPartition.batch;
import static io.semel.log.producer.TestPartition.decision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.log.AppendRejectedException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class ProducerStateTableTest {
    private static final long P = 7;

    private final TestPartition partition = new TestPartition(new ProducerStateTable(10, "orders-3"));
    private final ProducerStateTable table = partition.table;

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(Runnable call, ErrorCode code) {
        return assertThatThrownBy(call::run).isInstanceOf(AppendRejectedException.class)
                .satisfies(e -> assertThat(((AppendRejectedException) e).errorCode()).isEqualTo(code));
    }

    /** Appends batches of the given sizes for producer P at epoch 0 from sequence 0. */
    private List<RecordBatch> appendBatches(int... sizes) {
        List<RecordBatch> appended = new ArrayList<>();
        long seq = table.highestSequence(P) + 1;
        for (int size : sizes) {
            // Another producer in between, so P's offsets differ from its sequences.
            partition.send(batch(99, 0, table.highestSequence(99) + 1, 1, 1), 0);
            appended.add(partition.send(batch(P, 0, seq, size, 10), 0));
            seq += size;
        }
        return appended;
    }

    @Test
    void freshProducerWithSequenceZeroAppends() {
        RecordBatch b = batch(P, 0, 0, 3, 10);
        assertThat(table.check(b, (short) 0)).isEqualTo(SequenceCheck.append());
        partition.send(b, 0);
        assertThat(table.highestSequence(P)).isEqualTo(2);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void firstSequenceAboveZeroWithoutStateIsDedupStateUnknown() {
        assertRejected(() -> table.check(batch(P, 0, 5, 3, 10), (short) 0), ErrorCode.DEDUP_STATE_UNKNOWN)
                .hasMessageContaining("producer 7 epoch 0 sent sequences 5..7")
                .hasMessageContaining("InitProducer");
    }

    @Test
    void nextSequenceAppends() {
        appendBatches(4);
        RecordBatch next = batch(P, 0, 4, 2, 10);
        assertThat(table.check(next, (short) 0).kind()).isEqualTo(SequenceCheck.Kind.APPEND);
        partition.send(next, 0);
        assertThat(table.highestSequence(P)).isEqualTo(5);
    }

    @Test
    void exactRetryOfEachOfTheLastFiveBatchesIsDuplicateWithOriginalOffsets() {
        List<RecordBatch> appended = appendBatches(1, 2, 3, 4, 5, 6, 7);
        int logSize = partition.log.size();
        for (RecordBatch original : appended.subList(2, 7)) {
            RecordBatch retry = batch(P, 0, original.baseSequence(), original.recordCount(), 10);
            SequenceCheck check = table.check(retry, (short) 0);
            assertThat(check).isEqualTo(SequenceCheck.duplicate(original.baseOffset(), original.lastOffset()));
            partition.send(retry, 0);
        }
        assertThat(partition.log).hasSize(logSize);
        assertThat(ProducerStateTable.BATCHES_RETAINED_MAX).isEqualTo(5);
    }

    @Test
    void retryOfABatchOlderThanTheWindowIsDuplicateWithUnknownOffsets() {
        List<RecordBatch> appended = appendBatches(1, 2, 3, 4, 5, 6, 7);
        for (RecordBatch old : appended.subList(0, 2)) {
            SequenceCheck check = table.check(batch(P, 0, old.baseSequence(), old.recordCount(), 10), (short) 0);
            assertThat(check).isEqualTo(SequenceCheck.duplicateWithUnknownOffsets());
            assertThat(check.originalBaseOffset()).isEqualTo(-1);
            assertThat(check.originalLastOffset()).isEqualTo(-1);
        }
    }

    @Test
    void batchInsideTheRangeNotOnRetainedBoundariesIsDuplicateWithUnknownOffsets() {
        appendBatches(3, 3, 3); // sequences 0..2, 3..5, 6..8
        assertThat(table.check(batch(P, 0, 4, 1, 10), (short) 0)).isEqualTo(SequenceCheck.duplicateWithUnknownOffsets());
        assertThat(table.check(batch(P, 0, 2, 5, 10), (short) 0)).isEqualTo(SequenceCheck.duplicateWithUnknownOffsets());
        assertThat(table.check(batch(P, 0, 3, 6, 10), (short) 0)).isEqualTo(SequenceCheck.duplicateWithUnknownOffsets());
    }

    @Test
    void gapIsOutOfOrderSequenceWithExpectedAndReceivedInTheMessage() {
        appendBatches(10); // highest 9
        assertRejected(() -> table.check(batch(P, 2, 12, 4, 10), (short) 2), ErrorCode.OUT_OF_ORDER_SEQUENCE)
                .hasMessageContaining("producer 7 epoch 2 orders-3 state: expected sequence 10, received 12..15")
                .hasMessageContaining("10..11");
    }

    @Test
    void batchStraddlingTheHighestSequenceIsOutOfOrderSequence() {
        appendBatches(10); // highest 9
        assertRejected(() -> table.check(batch(P, 0, 8, 4, 10), (short) 0), ErrorCode.OUT_OF_ORDER_SEQUENCE)
                .hasMessageContaining("expected sequence 10, received 8..11")
                .hasMessageContaining("straddles the last persisted sequence 9");
    }

    @Test
    void epochOlderThanTheRegistrysCurrentEpochIsFenced() {
        appendBatches(3);
        assertRejected(() -> table.check(batch(P, 0, 3, 1, 10), (short) 1), ErrorCode.PRODUCER_FENCED)
                .hasMessageContaining("producer 7 epoch 0 is fenced by epoch 1");
        // Fencing comes before deduplication: a zombie's retry learns it must stop.
        assertRejected(() -> table.check(batch(P, 0, 0, 3, 10), (short) 1), ErrorCode.PRODUCER_FENCED);
    }

    @Test
    void epochOlderThanTheTableHasSeenIsFencedEvenIfTheCallerPassesAnOlderEpoch() {
        partition.send(batch(P, 2, 0, 1, 10), 2);
        assertRejected(() -> table.check(batch(P, 1, 1, 1, 10), (short) 1), ErrorCode.PRODUCER_FENCED)
                .hasMessageContaining("fenced by epoch 2");
    }

    @Test
    void newEpochContinuesSequences() {
        List<RecordBatch> appended = appendBatches(5, 5); // epoch 0: 0..4, 5..9
        // InitProducer moved the registry to epoch 2; epoch 1 never wrote here but is fenced too.
        assertRejected(() -> table.check(batch(P, 1, 10, 1, 10), (short) 2), ErrorCode.PRODUCER_FENCED)
                .hasMessageContaining("producer 7 epoch 1 is fenced by epoch 2");
        RecordBatch retry = batch(P, 2, 5, 5, 10);
        assertThat(table.check(retry, (short) 2))
                .isEqualTo(SequenceCheck.duplicate(appended.get(1).baseOffset(), appended.get(1).lastOffset()));
        assertThat(table.check(batch(P, 2, 0, 1, 10), (short) 2)).isEqualTo(SequenceCheck.duplicateWithUnknownOffsets());
        assertRejected(() -> table.check(batch(P, 2, 11, 1, 10), (short) 2), ErrorCode.OUT_OF_ORDER_SEQUENCE);
        assertThat(partition.send(batch(P, 2, 10, 2, 10), 2)).isNotNull();
        assertThat(table.highestSequence(P)).isEqualTo(11);
        // The old epoch is now fenced by the table itself.
        assertRejected(() -> table.check(batch(P, 0, 12, 1, 10), (short) 0), ErrorCode.PRODUCER_FENCED);
    }

    @Test
    void epochNeverIssuedIsInvalidRequest() {
        assertRejected(() -> table.check(batch(P, 3, 0, 1, 10), (short) 2), ErrorCode.INVALID_REQUEST)
                .hasMessageContaining("epoch 3 was never issued; the current epoch is 2");
    }

    @Test
    void producerUnknownToTheRegistryIsUnknownProducer() {
        assertRejected(() -> table.check(batch(P, 0, 0, 1, 10), (short) -1), ErrorCode.UNKNOWN_PRODUCER);
    }

    @Test
    void idempotentBatchWithoutSequenceIsInvalidRequest() {
        assertRejected(() -> table.check(batch(P, 0, -1, 1, 10), (short) 0), ErrorCode.INVALID_REQUEST)
                .hasMessageContaining("base sequence -1");
    }

    @Test
    void nonIdempotentBatchAlwaysAppendsAndLeavesNoState() {
        RecordBatch plain = RecordBatch.of(10, List.of(LogRecord.of(null, new byte[1])));
        assertThat(table.check(plain, (short) -1)).isEqualTo(SequenceCheck.append());
        partition.send(plain, -1);
        partition.send(plain, -1);
        assertThat(partition.log).hasSize(2);
        assertThat(table.size()).isZero();
    }

    @Test
    void checkChangesNothing() {
        appendBatches(3, 3);
        byte[] before = table.encodeSnapshot(partition.nextOffset);
        table.check(batch(P, 0, 6, 1, 999), (short) 0);
        table.check(batch(42, 0, 0, 1, 999), (short) 0);
        table.check(batch(P, 0, 0, 3, 999), (short) 0);
        assertThat(table.encodeSnapshot(partition.nextOffset)).isEqualTo(before);
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void producerIdleLongestIsEvictedAtTheLimitAndThenGetsDedupStateUnknown() {
        TestPartition small = new TestPartition(new ProducerStateTable(3, "orders-3"));
        small.send(batch(1, 0, 0, 2, 100), 0);
        small.send(batch(2, 0, 0, 2, 50), 0); // idle longest
        small.send(batch(3, 0, 0, 2, 200), 0);
        small.send(batch(1, 0, 2, 1, 300), 0);
        small.send(batch(4, 0, 0, 1, 400), 0);

        assertThat(small.table.size()).isEqualTo(3);
        assertThat(small.table.highestSequences()).isEqualTo(Map.of(1L, 2L, 3L, 1L, 4L, 0L));
        assertThat(small.table.highestSequence(2)).isEqualTo(-1);
        assertRejected(() -> small.table.check(batch(2, 0, 2, 1, 500), (short) 0), ErrorCode.DEDUP_STATE_UNKNOWN)
                .hasMessageContaining("limit of 3 producers");
        // Even an exact retry cannot be recognized any more: loud, never a silent accept.
        assertRejected(() -> small.table.check(batch(2, 0, 1, 1, 500), (short) 0), ErrorCode.DEDUP_STATE_UNKNOWN);
        assertThat(small.table.check(batch(1, 0, 3, 1, 500), (short) 0)).isEqualTo(SequenceCheck.append());
    }

    @Test
    void evictionTiesAreBrokenBySmallerProducerId() {
        TestPartition small = new TestPartition(new ProducerStateTable(2));
        small.send(batch(9, 0, 0, 1, 100), 0);
        small.send(batch(5, 0, 0, 1, 100), 0);
        small.send(batch(1, 0, 0, 1, 100), 0);
        assertThat(small.table.highestSequences().keySet()).containsExactlyInAnyOrder(9L, 1L);
    }

    @Test
    void replayViaOnAppendedRebuildsIdenticalDecisions() {
        TestPartition live = new TestPartition(new ProducerStateTable(3, "p"));
        for (int round = 0; round < 4; round++) {
            for (long id = 0; id < 5; id++) {
                long next = live.table.highestSequence(id) + 1;
                try {
                    live.send(batch(id, round / 2, next, (int) id + 1, round * 10L + id), round / 2);
                } catch (AppendRejectedException e) {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN);
                }
            }
        }
        ProducerStateTable replayed = new ProducerStateTable(3, "p");
        live.log.forEach(replayed::onAppended);

        assertThat(replayed.highestSequences()).isEqualTo(live.table.highestSequences());
        assertThat(replayed.encodeSnapshot(live.nextOffset)).isEqualTo(live.table.encodeSnapshot(live.nextOffset));
        for (long id = 0; id < 6; id++) {
            for (long seq = 0; seq < 25; seq += 3) {
                for (int epoch = 0; epoch < 3; epoch++) {
                    RecordBatch probe = batch(id, epoch, seq, 2, 1000);
                    assertThat(decision(replayed, probe, 1)).isEqualTo(decision(live.table, probe, 1));
                }
            }
        }
    }

    @Test
    void replayIsTotalEvenForWhatCheckWouldReject() {
        ProducerStateTable t = new ProducerStateTable(1);
        assertThatNoException().isThrownBy(() -> {
            t.onAppended(batch(1, 0, 0, 2, 10).withBaseOffset(0));
            t.onAppended(batch(2, 0, 50, 2, 20).withBaseOffset(2)); // evicts 1; starts mid-sequence
            t.onAppended(batch(2, 0, 60, 1, 30).withBaseOffset(4)); // gap
            t.onAppended(batch(2, 0, 55, 1, 30).withBaseOffset(5)); // regression: ignored
            t.onAppended(batch(2, 0, 60, 1, 30).withBaseOffset(6)); // same batch twice: ignored
            t.onAppended(batch(1, 0, 7, 1, 40).withBaseOffset(7)); // evicts 2
        });
        assertThat(t.highestSequences()).isEqualTo(Map.of(1L, 7L));
        assertThat(t.check(batch(1, 0, 8, 1, 50), (short) 0)).isEqualTo(SequenceCheck.append());
    }
    @Test
    void anEvictedProducerResendingItsFirstBatchGetsDedupStateUnknownNotASecondAppend() {
        TestPartition small = new TestPartition(new ProducerStateTable(1, "orders-3"));
        RecordBatch first = batch(1, 0, 0, 2, 100);
        small.send(first, 0);
        small.send(batch(2, 0, 0, 1, 200), 0); // evicts producer 1
        int logSize = small.log.size();

        // A late copy of producer 1's first batch: without a tombstone it looked like a new producer.
        assertRejected(() -> small.send(batch(1, 0, 0, 2, 100), 0), ErrorCode.DEDUP_STATE_UNKNOWN)
                .hasMessageContaining("producer 1 epoch 0 sent sequences 0..1")
                .hasMessageContaining("evicted at the limit of 1 producers, or expired or released, at epoch 0")
                .hasMessageContaining("start a new instance");
        assertThat(small.log).hasSize(logSize);
        assertThat(small.table.forgotten()).isEqualTo(Map.of(1L, (short) 0));
    }

    @Test
    void aNewerInstanceStartsOverAfterEvictionAndClearsTheTombstone() {
        TestPartition small = new TestPartition(new ProducerStateTable(1, "orders-3"));
        small.send(batch(1, 0, 0, 2, 100), 0);
        small.send(batch(2, 0, 0, 1, 200), 0); // evicts producer 1 at epoch 0
        // Epoch 1 was told "no state here" by INIT_PRODUCER: its sequence 0 is a new record.
        assertThat(small.send(batch(1, 1, 0, 1, 300), 1)).isNotNull();
        assertThat(small.table.forgotten()).isEqualTo(Map.of(2L, (short) 0));
        assertThat(small.table.highestSequence(1)).isEqualTo(0);
    }

    @Test
    void forgetDropsStateAndRefusesTheSameEpochAtSequenceZero() {
        partition.send(batch(P, 0, 0, 1, 100), 0);
        assertThat(table.forget(P)).isTrue();
        assertThat(table.forget(P)).isFalse();
        assertThat(table.highestSequence(P)).isEqualTo(-1);
        assertRejected(() -> table.check(batch(P, 0, 0, 1, 100), (short) 0), ErrorCode.DEDUP_STATE_UNKNOWN);
        assertThat(table.check(batch(P, 1, 0, 1, 100), (short) 1)).isEqualTo(SequenceCheck.append());
    }

    @Test
    void tombstonesOverflowIntoAnIdFloorThatStillRefusesSequenceZero() {
        ProducerStateTable t = new ProducerStateTable(1, "p");
        TestPartition small = new TestPartition(t);
        int producers = t.tombstonesMax() + 2;
        for (long id = 0; id < producers; id++) {
            small.send(batch(id, 0, 0, 1, id), 0); // each evicts the one before
        }
        assertThat(t.forgotten()).hasSize(t.tombstonesMax());
        assertThat(t.forgotten()).doesNotContainKeys(0L);
        assertRejected(() -> t.check(batch(0, 3, 0, 1, 1), (short) 3), ErrorCode.DEDUP_STATE_UNKNOWN)
                .hasMessageContaining("tombstones overflowed");
        // A producer id above every forgotten one is new here.
        assertThat(t.check(batch(producers + 5, 0, 0, 1, 1), (short) 0)).isEqualTo(SequenceCheck.append());
    }

    @Test
    void tombstonesAreCappedAtTheLargerOfProducersMaxAnd1024() {
        // A tiny producersMax keeps 1024 tombstones all the same.
        ProducerStateTable tiny = new ProducerStateTable(1, "p");
        TestPartition t1 = new TestPartition(tiny);
        for (long id = 0; id < 1_100; id++) {
            t1.send(batch(id, 0, 0, 1, id), 0);
        }
        assertThat(tiny.forgotten()).hasSize(1_024);
        // A large one keeps as many tombstones as producers.
        ProducerStateTable large = new ProducerStateTable(1_500, "p");
        TestPartition t2 = new TestPartition(large);
        for (long id = 0; id <= 3_000; id++) {
            t2.send(batch(id, 0, 0, 1, id), 0); // from id 1500 on, each evicts the idlest
        }
        assertThat(large.forgotten()).hasSize(1_500).containsKey(1L).doesNotContainKey(0L);
    }

    @Test
    void theIdFloorNeverMovesDownWhenASmallerIdOverflowsAfterALargerOne() {
        ProducerStateTable t = new ProducerStateTable(1, "p");
        TestPartition small = new TestPartition(t);
        small.send(batch(5_000, 0, 0, 1, 0), 0);
        small.send(batch(1, 0, 0, 1, 1), 0);
        for (long id = 5_001; id <= 6_025; id++) {
            small.send(batch(id, 0, 0, 1, id), 0); // tombstones: 5000, 1, 5001, ...; 5000 overflows first, then 1
        }
        assertThat(t.forgotten()).doesNotContainKeys(5_000L, 1L);
        // Id 4000 never produced here but is below a forgotten id: its sequence 0 may be a late copy.
        assertRejected(() -> t.check(batch(4_000, 0, 0, 1, 1), (short) 0), ErrorCode.DEDUP_STATE_UNKNOWN)
                .hasMessageContaining("tombstones overflowed");
        assertThat(t.check(batch(7_000, 0, 0, 1, 1), (short) 0)).isEqualTo(SequenceCheck.append());
    }

    @Test
    void tombstonesSurviveASnapshot() throws Exception {
        TestPartition small = new TestPartition(new ProducerStateTable(1, "p"));
        small.send(batch(1, 0, 0, 2, 100), 0);
        small.send(batch(2, 0, 0, 1, 200), 0);
        ProducerStateTable restored = new ProducerStateTable(1, "p");
        restored.restore(ProducerStateTable.decodeSnapshot(small.table.encodeSnapshot(small.nextOffset)));
        assertThat(restored.forgotten()).isEqualTo(Map.of(1L, (short) 0));
        assertRejected(() -> restored.check(batch(1, 0, 0, 2, 100), (short) 0), ErrorCode.DEDUP_STATE_UNKNOWN);
    }
}
