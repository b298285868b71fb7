package io.semel.log.producer;

import static io.semel.log.producer.TestPartition.batch;
import static io.semel.log.producer.TestPartition.decision;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.log.AppendRejectedException;
import io.semel.log.producer.internal.SnapshotCodec;
import io.semel.protocol.RecordBatch;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class ProducerStateProperties {

    @Property(tries = 2000)
    void randomBytesDecodeToNothingButCorruptSnapshotException(@ForAll @Size(max = 300) byte[] bytes) {
        assertDecodesOrIsCorrupt(bytes);
    }

    /**
     * Random content behind a valid magic, version and CRC reaches the content checks: it either
     * fails with CorruptSnapshotException or decodes to something that re-encodes to the same bytes.
     */
    @Property(tries = 2000)
    void randomContentBehindAValidHeaderDecodesCanonicallyOrIsCorrupt(@ForAll @Size(max = 300) byte[] body,
            @ForAll boolean plausibleCounts) {
        ByteBuffer buf = ByteBuffer.allocate(SnapshotCodec.HEADER_BYTES - 10 + body.length + 10);
        buf.putInt(SnapshotCodec.MAGIC).putShort(SnapshotCodec.VERSION).putInt(0);
        if (plausibleCounts && body.length >= 12) {
            // Small positive offset and count, so decoding walks into the producer entries.
            body[0] = 0;
            body[8] = 0;
            body[9] = 0;
            body[10] = 0;
            body[11] = (byte) (body[11] & 3);
        }
        buf.put(body);
        byte[] bytes = Arrays.copyOf(buf.array(), 10 + body.length);
        restampCrc(bytes);
        ProducerStateTable.Snapshot decoded = assertDecodesOrIsCorrupt(bytes);
        if (decoded != null) {
            assertThat(SnapshotCodec.encode(decoded)).isEqualTo(bytes);
        }
    }

    /**
     * Damage the CRC cannot see (a buggy writer): a valid snapshot with bytes changed or cut off
     * and the CRC re-stamped still yields only CorruptSnapshotException or a canonical decode.
     */
    @Property(tries = 2000)
    void restampedDamageDecodesCanonicallyOrIsCorrupt(@ForAll long seed) {
        Random random = new Random(seed);
        TestPartition p = ProducerStateSnapshotCodecTest.populated();
        byte[] good = p.table.encodeSnapshot(p.nextOffset);
        byte[] bad = Arrays.copyOf(good, 10 + random.nextInt(good.length - 9));
        for (int i = random.nextInt(4); i > 0 && bad.length > 10; i--) {
            bad[10 + random.nextInt(bad.length - 10)] = (byte) random.nextInt(256);
        }
        restampCrc(bad);
        ProducerStateTable.Snapshot decoded = assertDecodesOrIsCorrupt(bad);
        if (decoded != null) {
            assertThat(SnapshotCodec.encode(decoded)).isEqualTo(bad);
        }
    }

    private static void restampCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 10, bytes.length - 10);
        ByteBuffer.wrap(bytes).putInt(6, (int) crc.getValue());
    }

    private static ProducerStateTable.Snapshot assertDecodesOrIsCorrupt(byte[] bytes) {
        try {
            return ProducerStateTable.decodeSnapshot(bytes);
        } catch (CorruptSnapshotException expected) {
            return null;
        }
        // Any other exception escapes and fails the property.
    }

    /**
     * A seeded random workload (retries, gaps, new epochs, evictions): replaying the log, and
     * restoring a mid-way snapshot then replaying the rest, both end in the live table's state.
     */
    @Property(tries = 200)
    void replayAndSnapshotPlusReplayRebuildTheLiveTable(@ForAll long seed) throws CorruptSnapshotException {
        Random random = new Random(seed);
        TestPartition live = new TestPartition(new ProducerStateTable(4, "p"));
        short[] epochs = new short[6];
        int snapshotAt = random.nextInt(60);
        byte[] snapshot = null;
        int snapshotLogSize = 0;
        for (int step = 0; step < 60; step++) {
            if (step == snapshotAt) {
                snapshot = live.table.encodeSnapshot(live.nextOffset);
                snapshotLogSize = live.log.size();
            }
            int id = random.nextInt(epochs.length);
            if (random.nextInt(10) == 0) {
                epochs[id]++;
            }
            long next = Math.max(0, live.table.highestSequence(id) + 1 + random.nextInt(5) - 3);
            int epoch = epochs[id] - (random.nextInt(8) == 0 ? 1 : 0);
            try {
                live.send(batch(id, Math.max(0, epoch), next, 1 + random.nextInt(3), step), epochs[id]);
            } catch (AppendRejectedException rejected) {
                // Part of the workload: the property is about what was appended.
            }
        }
        ProducerStateTable replayed = new ProducerStateTable(4, "p");
        live.log.forEach(replayed::onAppended);
        ProducerStateTable recovered = new ProducerStateTable(4, "p");
        recovered.restore(ProducerStateTable.decodeSnapshot(snapshot));
        live.log.subList(snapshotLogSize, live.log.size()).forEach(recovered::onAppended);

        byte[] expected = live.table.encodeSnapshot(live.nextOffset);
        assertThat(replayed.encodeSnapshot(live.nextOffset)).isEqualTo(expected);
        assertThat(recovered.encodeSnapshot(live.nextOffset)).isEqualTo(expected);
        for (int id = 0; id < epochs.length; id++) {
            RecordBatch probe = batch(id, epochs[id], Math.max(0, live.table.highestSequence(id) - 1), 2, 0);
            assertThat(decision(recovered, probe, epochs[id])).isEqualTo(decision(live.table, probe, epochs[id]));
        }
    }
}
