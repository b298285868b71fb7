package io.semel.log.internal;

import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An immutable picture of one segment as its writer published it, for readers on other threads:
 * base offset, the offsets and bytes it held at publication, a snapshot of its index, and its
 * {@link SharedFile}. Bytes below {@code sizeBytes} never change while the segment exists (the log
 * only appends; truncation happens in recovery, on a new set of segments), so a reader holding a
 * reference to the file may read them without any lock.
 *
 * <p>Thread-safe (immutable); every read needs a reference on {@link #file()} held by the caller.
 */
public record ReadableSegment(long baseOffset, long nextOffset, long sizeBytes, OffsetIndex.Snapshot index,
        SharedFile file) {
    /** Length, CRC, version, attributes, base offset, record count: enough to walk batches. */
    private static final int WALK_HEADER_BYTES = 22;

    /**
     * Position of the batch containing {@code offset} (in this segment, below {@code nextOffset}):
     * seeks with the index snapshot, then walks batch headers. An index entry that does not point
     * at its batch is not trusted (the walk restarts at position 0); the writer repairs the index.
     */
    public long positionOf(long offset) throws IOException {
        int slot = index.floorSlot((int) (offset - baseOffset));
        long position = slot < 0 ? 0 : index.positions()[slot];
        long[] header = readHeader(position);
        if (slot >= 0 && header[1] != baseOffset + index.relativeOffsets()[slot]) {
            position = 0;
            header = readHeader(0);
        }
        while (header[1] + header[2] <= offset) {
            position += header[0];
            header = readHeader(position);
        }
        return position;
    }

    /** Reads and fully validates (CRC included) the batch at {@code position}. */
    public RecordBatch read(long position) throws IOException {
        ByteBuffer lengthField = readBytes(position, RecordBatch.LENGTH_FIELD_BYTES);
        if (lengthField.remaining() < RecordBatch.LENGTH_FIELD_BYTES) {
            throw corrupt(position, "no length field");
        }
        long total = lengthField.getInt(0) + (long) RecordBatch.LENGTH_FIELD_BYTES;
        if (total < RecordBatch.HEADER_BYTES || position + total > sizeBytes) {
            throw corrupt(position, "batch claims " + total + " bytes");
        }
        try {
            return RecordBatch.decode(readBytes(position, (int) total), RecordBatch.BATCH_BYTES_LIMIT);
        } catch (CorruptBatchException e) {
            throw corrupt(position, e.getMessage());
        }
    }

    /** {total bytes, base offset, record count} of the batch at {@code position}. */
    private long[] readHeader(long position) throws IOException {
        ByteBuffer b = readBytes(position, WALK_HEADER_BYTES);
        if (b.remaining() < WALK_HEADER_BYTES) {
            throw corrupt(position, "only " + b.remaining() + " header bytes");
        }
        long total = b.getInt(0) + (long) RecordBatch.LENGTH_FIELD_BYTES;
        int count = b.getInt(18);
        if (total < RecordBatch.HEADER_BYTES || position + total > sizeBytes || count < 1) {
            throw corrupt(position, "batch claims " + total + " bytes and " + count + " records");
        }
        return new long[] {total, b.getLong(10), count};
    }

    private ByteBuffer readBytes(long position, int length) throws IOException {
        int wanted = (int) Math.max(0, Math.min(length, sizeBytes - position));
        ByteBuffer buf = ByteBuffer.allocate(wanted);
        while (buf.hasRemaining()) {
            if (file.file().read(position + buf.position(), buf) <= 0) {
                break;
            }
        }
        return buf.flip();
    }

    private IOException corrupt(long position, String what) {
        return new IOException("corrupt batch in " + Segment.logName(baseOffset) + " at position " + position
                + " (published size " + sizeBytes + "): " + what);
    }
}
