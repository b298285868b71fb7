package io.semel.log.internal;

import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.RecordBatch;
import java.io.IOException;

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
    /**
     * Position of the batch containing {@code offset} (in this segment, below {@code nextOffset}):
     * seeks with the index snapshot, then walks batch headers. An index entry that does not point
     * at its batch is not trusted (the walk restarts at position 0); the writer repairs the index.
     */
    public long positionOf(long offset) throws IOException {
        int slot = index.floorSlot((int) (offset - baseOffset));
        long position = slot < 0 ? 0 : index.positions()[slot];
        SegmentFileReader.Header header = readHeader(position);
        if (slot >= 0 && header.baseOffset() != baseOffset + index.relativeOffsets()[slot]) {
            position = 0;
            header = readHeader(0);
        }
        while (header.baseOffset() + header.recordCount() <= offset) {
            position += header.totalBytes();
            header = readHeader(position);
        }
        return position;
    }

    /** Reads and fully validates (CRC included) the batch at {@code position}. */
    public RecordBatch read(long position) throws IOException {
        try {
            return SegmentFileReader.decodeAt(file.file(), sizeBytes, position);
        } catch (CorruptBatchException e) {
            throw new IOException("corrupt batch in " + Segment.logName(baseOffset) + " at position " + position
                    + " (published size " + sizeBytes + "): " + e.getMessage(), e);
        }
    }

    private SegmentFileReader.Header readHeader(long position) throws IOException {
        return SegmentFileReader.readHeader(file.file(), baseOffset, sizeBytes, position);
    }
}
