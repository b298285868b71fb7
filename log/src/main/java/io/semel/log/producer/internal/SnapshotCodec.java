package io.semel.log.producer.internal;

import io.semel.log.producer.CorruptSnapshotException;
import io.semel.log.producer.ProducerStateTable;
import io.semel.log.producer.ProducerStateTable.BatchEntry;
import io.semel.log.producer.ProducerStateTable.Snapshot;
import io.semel.log.producer.ProducerStateTable.Snapshot.ProducerEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Owns the producer-state snapshot format. Big-endian; stateless; thread-safe.
 *
 * <pre>
 * offset size field            meaning
 * ------ ---- ---------------- -----------------------------------------------------------
 *      0    4 magic            0x53505354 ("SPST")
 *      4    2 version          {@value #VERSION}
 *      6    4 crc              CRC32C over bytes [10, end): everything below
 *     10    8 snapshotOffset   log offset the state reflects; every batch below it is included
 *     18    4 producerCount    0..{@link ProducerStateTable#PRODUCERS_LIMIT}
 *     22    * producers        producerCount times, by strictly ascending id:
 *                                8 producerId (>= 0)   2 epoch (>= 0)   8 lastTimestampMs
 *                                1 batchCount (1..{@link ProducerStateTable#BATCHES_RETAINED_MAX})
 *                                batchCount times, oldest first (34 bytes each):
 *                                  2 epoch (0..producer epoch)   8 firstSequence   8 lastSequence
 *                                  8 firstOffset   8 lastOffset
 *      *    8 forgottenIdFloor (version 2) ids at or below it count as forgotten; -1 for none
 *      *    4 forgottenCount   (version 2) 0..{@link ProducerStateTable#PRODUCERS_LIMIT}
 *      *   10 forgotten        (version 2) forgottenCount times, oldest first, distinct ids without
 *                                state above: 8 producerId (>= 0)   2 epoch (>= 0)
 * </pre>
 *
 * <p>Version 1 (no tombstones) is still read, as a snapshot without tombstones.
 *
 * <p>Decoding checks, besides magic, version and CRC: the length is exactly what the counts
 * imply; each batch has {@code 0 <= firstSequence <= lastSequence}, as many offsets as sequences,
 * ends below {@code snapshotOffset}, and follows the previous one in both last sequence and
 * offset.
 *
 * <p>What this format does <em>not</em> protect against: magic and version are outside the CRC
 * (they are checked by value); the CRC32C misses random multi-bit corruption with probability
 * 2^-32 and offers nothing against tampering (no MAC); nothing names the partition, so a snapshot
 * copied from another partition's directory decodes fine; and a <em>stale</em> but intact
 * snapshot (older than the log, or newer than a truncated log) is valid here: the caller must
 * replay the log after {@code snapshotOffset} and drop snapshots beyond the log end.
 */
public final class SnapshotCodec {
    public static final int MAGIC = 0x53505354;
    public static final short VERSION = 2;
    /** The first format, without tombstones; still read. */
    public static final short VERSION_1 = 1;
    public static final int HEADER_BYTES = 22;
    private static final int CRC_OFFSET = 6;
    private static final int CRC_START = 10;
    private static final int PRODUCER_BYTES = 19;
    private static final int BATCH_BYTES = 34;
    private static final int FORGOTTEN_BYTES = 10;
    private static final int TRAILER_BYTES = 12;

    /** Largest possible snapshot: every producer with a full window. */
    public static final long SNAPSHOT_BYTES_MAX = HEADER_BYTES
            + (long) ProducerStateTable.PRODUCERS_LIMIT
            * (PRODUCER_BYTES + ProducerStateTable.BATCHES_RETAINED_MAX * BATCH_BYTES);

    private SnapshotCodec() {
    }

    public static byte[] encode(Snapshot snapshot) {
        long size = HEADER_BYTES + TRAILER_BYTES + (long) FORGOTTEN_BYTES * snapshot.forgotten().size();
        for (ProducerEntry p : snapshot.producers()) {
            size += PRODUCER_BYTES + (long) BATCH_BYTES * p.batches().size();
        }
        if (size > SNAPSHOT_BYTES_MAX) {
            throw new IllegalArgumentException("snapshot of " + size + " bytes exceeds " + SNAPSHOT_BYTES_MAX);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        buf.putInt(MAGIC).putShort(VERSION).putInt(0).putLong(snapshot.offset()).putInt(snapshot.producers().size());
        for (ProducerEntry p : snapshot.producers()) {
            buf.putLong(p.producerId()).putShort(p.epoch()).putLong(p.lastTimestampMs()).put((byte) p.batches().size());
            for (BatchEntry b : p.batches()) {
                buf.putShort(b.epoch()).putLong(b.firstSequence()).putLong(b.lastSequence())
                        .putLong(b.firstOffset()).putLong(b.lastOffset());
            }
        }
        buf.putLong(snapshot.forgottenIdFloor()).putInt(snapshot.forgotten().size());
        for (Snapshot.Forgotten f : snapshot.forgotten()) {
            buf.putLong(f.producerId()).putShort(f.epoch());
        }
        assert !buf.hasRemaining();
        byte[] bytes = buf.array();
        ByteBuffer.wrap(bytes).putInt(CRC_OFFSET, crc(bytes));
        assert roundTrips(bytes, snapshot) : "snapshot does not decode to what was encoded: " + snapshot;
        return bytes;
    }

    /** @throws CorruptSnapshotException for any bad input; never another exception type */
    public static Snapshot decode(byte[] bytes) throws CorruptSnapshotException {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            throw corrupt("need at least " + HEADER_BYTES + " bytes, have " + (bytes == null ? 0 : bytes.length));
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int magic = buf.getInt();
        if (magic != MAGIC) {
            throw corrupt(String.format("magic %08x, expected %08x", magic, MAGIC));
        }
        short version = buf.getShort();
        if (version != VERSION && version != VERSION_1) {
            throw corrupt("format version " + version + ", this code reads " + VERSION_1 + " and " + VERSION);
        }
        int storedCrc = buf.getInt();
        int actualCrc = crc(bytes);
        if (storedCrc != actualCrc) {
            throw corrupt(String.format("stored CRC32C %08x, computed %08x over %d bytes", storedCrc, actualCrc,
                    bytes.length - CRC_START));
        }
        long offset = buf.getLong();
        int count = buf.getInt();
        if (offset < 0 || count < 0 || count > ProducerStateTable.PRODUCERS_LIMIT
                || (long) count * (PRODUCER_BYTES + BATCH_BYTES) > buf.remaining()) {
            throw corrupt("snapshot offset " + offset + ", producer count " + count + " impossible in "
                    + bytes.length + " bytes");
        }
        List<ProducerEntry> producers = new ArrayList<>(count);
        long previousId = -1;
        for (int i = 0; i < count; i++) {
            ProducerEntry p = decodeProducer(buf, offset, previousId);
            producers.add(p);
            previousId = p.producerId();
        }
        Snapshot snapshot = version == VERSION_1 ? new Snapshot(offset, producers) : decodeForgotten(buf, offset, producers);
        if (buf.hasRemaining()) {
            throw corrupt(buf.remaining() + " bytes left after " + count + " producers and "
                    + snapshot.forgotten().size() + " tombstones");
        }
        return snapshot;
    }

    private static Snapshot decodeForgotten(ByteBuffer buf, long offset, List<ProducerEntry> producers)
            throws CorruptSnapshotException {
        if (buf.remaining() < TRAILER_BYTES) {
            throw corrupt("truncated tombstone section at byte " + buf.position());
        }
        long floor = buf.getLong();
        int count = buf.getInt();
        if (floor < -1 || count < 0 || count > ProducerStateTable.PRODUCERS_LIMIT
                || (long) count * FORGOTTEN_BYTES != buf.remaining()) {
            throw corrupt("tombstone floor " + floor + ", count " + count + " impossible with " + buf.remaining()
                    + " bytes left");
        }
        java.util.Set<Long> ids = new java.util.HashSet<>();
        producers.forEach(p -> ids.add(p.producerId()));
        List<Snapshot.Forgotten> forgotten = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Snapshot.Forgotten f = new Snapshot.Forgotten(buf.getLong(), buf.getShort());
            if (f.producerId() < 0 || f.epoch() < 0 || !ids.add(f.producerId())) {
                throw corrupt("tombstone " + f + " is negative, repeated or has state as well");
            }
            forgotten.add(f);
        }
        return new Snapshot(offset, producers, forgotten, floor);
    }

    private static ProducerEntry decodeProducer(ByteBuffer buf, long snapshotOffset, long previousId)
            throws CorruptSnapshotException {
        if (buf.remaining() < PRODUCER_BYTES) {
            throw corrupt("truncated producer entry at byte " + buf.position());
        }
        long id = buf.getLong();
        short epoch = buf.getShort();
        long lastTimestampMs = buf.getLong();
        int batchCount = buf.get();
        if (id <= previousId || epoch < 0 || batchCount < 1 || batchCount > ProducerStateTable.BATCHES_RETAINED_MAX
                || buf.remaining() < batchCount * BATCH_BYTES) {
            throw corrupt("producer " + id + " (after " + previousId + ") epoch " + epoch + " with " + batchCount
                    + " batches is invalid at byte " + buf.position());
        }
        List<BatchEntry> batches = new ArrayList<>(batchCount);
        BatchEntry previous = null;
        for (int b = 0; b < batchCount; b++) {
            BatchEntry e = new BatchEntry(buf.getShort(), buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
            if (!validBatch(e, epoch, snapshotOffset, previous)) {
                throw corrupt("producer " + id + " epoch " + epoch + " has invalid batch " + e + " after " + previous
                        + " in a snapshot at offset " + snapshotOffset);
            }
            batches.add(e);
            previous = e;
        }
        return new ProducerEntry(id, epoch, lastTimestampMs, batches);
    }

    private static boolean validBatch(BatchEntry e, short producerEpoch, long snapshotOffset, BatchEntry previous) {
        boolean shape = e.epoch() >= 0 && e.epoch() <= producerEpoch && e.firstSequence() >= 0
                && e.lastSequence() >= e.firstSequence() && e.firstOffset() >= 0
                && e.lastOffset() - e.firstOffset() == e.lastSequence() - e.firstSequence()
                && e.lastOffset() >= e.firstOffset() && e.lastOffset() < snapshotOffset;
        return shape && (previous == null
                || (e.lastSequence() > previous.lastSequence() && e.firstOffset() > previous.lastOffset()));
    }

    private static boolean roundTrips(byte[] bytes, Snapshot snapshot) {
        try {
            return decode(bytes).equals(snapshot);
        } catch (CorruptSnapshotException e) {
            return false;
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, CRC_START, bytes.length - CRC_START);
        return (int) crc.getValue();
    }

    private static CorruptSnapshotException corrupt(String message) {
        return new CorruptSnapshotException("corrupt producer-state snapshot: " + message);
    }
}
