package io.semel.log.producer;

import static io.semel.log.producer.TestPartition.batch;
import static io.semel.log.producer.TestPartition.decision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.RecordBatch;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProducerStateSnapshotCodecTest {

    /** Three producers, one with more batches than the window, one at a later epoch. */
    static TestPartition populated() {
        TestPartition p = new TestPartition(new ProducerStateTable(10, "p"));
        for (int i = 0; i < 7; i++) {
            p.send(batch(1, 0, p.table.highestSequence(1) + 1, i + 1, 100 + i), 0);
        }
        p.send(batch(2, 0, 0, 3, 50), 0);
        p.send(batch(2, 1, 3, 2, 60), 1);
        p.send(batch(1_000_000_000_000L, 0, 0, 1, -5), 0);
        return p;
    }

    @Test
    void snapshotRoundTripEquals() throws CorruptSnapshotException {
        TestPartition p = populated();
        byte[] bytes = p.table.encodeSnapshot(p.nextOffset);
        ProducerStateTable.Snapshot decoded = ProducerStateTable.decodeSnapshot(bytes);

        assertThat(decoded).isEqualTo(p.table.snapshot(p.nextOffset));
        assertThat(decoded.offset()).isEqualTo(p.nextOffset);
        assertThat(decoded.producers()).extracting(ProducerStateTable.Snapshot.ProducerEntry::producerId)
                .containsExactly(1L, 2L, 1_000_000_000_000L);
        assertThat(decoded.producers().get(0).batches()).hasSize(ProducerStateTable.BATCHES_RETAINED_MAX);
    }

    @Test
    void restoredTableDecidesLikeTheOriginal() throws CorruptSnapshotException {
        TestPartition p = populated();
        ProducerStateTable restored = new ProducerStateTable(10, "p");
        restored.restore(ProducerStateTable.decodeSnapshot(p.table.encodeSnapshot(p.nextOffset)));

        assertThat(restored.highestSequences()).isEqualTo(p.table.highestSequences());
        for (long id : new long[] {1, 2, 3}) {
            for (long seq = 0; seq < 32; seq++) {
                for (int count = 1; count <= 7; count += 3) {
                    RecordBatch probe = batch(id, 1, seq, count, 0);
                    assertThat(decision(restored, probe, 1)).isEqualTo(decision(p.table, probe, 1));
                }
            }
        }
    }

    @Test
    void emptyTableRoundTrips() throws CorruptSnapshotException {
        ProducerStateTable.Snapshot decoded =
                ProducerStateTable.decodeSnapshot(new ProducerStateTable(1).encodeSnapshot(0));
        assertThat(decoded).isEqualTo(new ProducerStateTable.Snapshot(0, List.of()));
    }

    @Test
    void snapshotOffsetMustBePastEveryAppendedBatch() {
        TestPartition p = populated();
        assertThatThrownBy(() -> p.table.encodeSnapshot(p.nextOffset - 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot offset " + (p.nextOffset - 1));
    }

    @Test
    void everySingleBitFlipIsCorrupt() {
        TestPartition p = populated();
        byte[] good = p.table.encodeSnapshot(p.nextOffset);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            int at = bit;
            assertThatThrownBy(() -> ProducerStateTable.decodeSnapshot(bad))
                    .as("bit %d", at).isExactlyInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void everyTruncationIsCorrupt() {
        TestPartition p = populated();
        byte[] good = p.table.encodeSnapshot(p.nextOffset);
        for (int length = 0; length < good.length; length++) {
            byte[] bad = Arrays.copyOf(good, length);
            int at = length;
            assertThatThrownBy(() -> ProducerStateTable.decodeSnapshot(bad))
                    .as("length %d", at).isExactlyInstanceOf(CorruptSnapshotException.class);
        }
        assertThatThrownBy(() -> ProducerStateTable.decodeSnapshot(null))
                .isExactlyInstanceOf(CorruptSnapshotException.class);
    }

    @Test
    void trailingBytesAreCorrupt() {
        byte[] good = populated().table.encodeSnapshot(1000);
        assertThatThrownBy(() -> ProducerStateTable.decodeSnapshot(Arrays.copyOf(good, good.length + 1)))
                .isExactlyInstanceOf(CorruptSnapshotException.class);
    }

    @Test
    void restoringMoreProducersThanTheLimitEvictsTheIdlest() throws CorruptSnapshotException {
        TestPartition p = populated(); // timestamps: producer 1 at 106, 2 at 60, 10^12 at -5
        ProducerStateTable small = new ProducerStateTable(2, "p");
        small.restore(ProducerStateTable.decodeSnapshot(p.table.encodeSnapshot(p.nextOffset)));
        assertThat(small.highestSequences().keySet()).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void restoreNeedsAnEmptyTable() {
        TestPartition p = populated();
        assertThatThrownBy(() -> p.table.restore(p.table.snapshot(p.nextOffset)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void snapshotPlusReplayOfTheTailEqualsTheLiveTable() throws CorruptSnapshotException {
        TestPartition p = populated();
        long snapshotOffset = p.nextOffset;
        byte[] snapshot = p.table.encodeSnapshot(snapshotOffset);
        int tailStart = p.log.size();
        p.send(batch(2, 1, 5, 4, 70), 1);
        p.send(batch(3, 0, 0, 1, 80), 0);

        ProducerStateTable recovered = new ProducerStateTable(10, "p");
        recovered.restore(ProducerStateTable.decodeSnapshot(snapshot));
        p.log.subList(tailStart, p.log.size()).forEach(recovered::onAppended);
        assertThat(recovered.encodeSnapshot(p.nextOffset)).isEqualTo(p.table.encodeSnapshot(p.nextOffset));
    }
    /** Two producers evicted from a one-producer table: two tombstones and one live producer. */
    private static TestPartition withTombstones() {
        TestPartition p = new TestPartition(new ProducerStateTable(1, "p"));
        p.send(batch(1, 0, 0, 2, 10), 0);
        p.send(batch(2, 3, 0, 1, 20), 3);
        p.send(batch(3, 0, 0, 1, 30), 0);
        return p;
    }

    @Test
    void tombstonesRoundTripAndEveryBitFlipOrTruncationOfThemIsCorrupt() throws CorruptSnapshotException {
        TestPartition p = withTombstones();
        byte[] good = p.table.encodeSnapshot(p.nextOffset);
        ProducerStateTable.Snapshot decoded = ProducerStateTable.decodeSnapshot(good);
        assertThat(decoded.forgotten()).containsExactly(new ProducerStateTable.Snapshot.Forgotten(1, (short) 0),
                new ProducerStateTable.Snapshot.Forgotten(2, (short) 3));
        assertThat(decoded.forgottenIdFloor()).isEqualTo(-1);
        for (int i = 0; i < good.length * 8; i++) {
            byte[] bad = good.clone();
            bad[i / 8] ^= (byte) (1 << (i % 8));
            assertThatThrownBy(() -> ProducerStateTable.decodeSnapshot(bad)).isInstanceOf(CorruptSnapshotException.class);
        }
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> ProducerStateTable.decodeSnapshot(cut)).isInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void aVersionOneSnapshotStillDecodesWithoutTombstones() throws CorruptSnapshotException {
        TestPartition p = populated();
        byte[] v2 = p.table.encodeSnapshot(p.nextOffset);
        // Version 1 is version 2 without the 12-byte tombstone trailer (floor -1, count 0).
        byte[] v1 = Arrays.copyOf(v2, v2.length - 12);
        java.nio.ByteBuffer.wrap(v1).putShort(4, (short) 1);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(v1, 10, v1.length - 10);
        java.nio.ByteBuffer.wrap(v1).putInt(6, (int) crc.getValue());
        assertThat(ProducerStateTable.decodeSnapshot(v1)).isEqualTo(p.table.snapshot(p.nextOffset));
    }
}
