package io.semel.log.internal;

import io.semel.log.StorageFile;
import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads of a segment's log file within its first {@code sizeBytes} bytes, shared by the writer's
 * {@link Segment} and the readers' {@link ReadableSegment}: batch headers to walk by, and whole
 * batches, decoded and checksummed. Never reads at or beyond {@code sizeBytes}: bytes there may be
 * unforced or still being written. Stateless; as thread-safe as the file's positional reads.
 */
final class SegmentFileReader {
    /** Length, CRC, version, attributes, base offset, record count: enough to walk batches. */
    private static final int WALK_HEADER_BYTES = 22;

    private SegmentFileReader() {
    }

    /** What a walk over the batches needs of one header. */
    record Header(int totalBytes, long baseOffset, int recordCount) {
    }

    /** Reads a header without validating the batch (a walk over trusted data); a nonsensical one means corruption. */
    static Header readHeader(StorageFile file, long baseOffset, long sizeBytes, long position) throws IOException {
        ByteBuffer b = readBytes(file, sizeBytes, position, WALK_HEADER_BYTES);
        if (b.remaining() < WALK_HEADER_BYTES) {
            throw new IOException("corrupt segment " + Segment.logName(baseOffset) + ": only " + b.remaining()
                    + " header bytes at position " + position + " of " + sizeBytes);
        }
        long total = b.getInt(0) + (long) RecordBatch.LENGTH_FIELD_BYTES;
        int count = b.getInt(18);
        if (total < RecordBatch.HEADER_BYTES || position + total > sizeBytes || count < 1) {
            throw new IOException("corrupt segment " + Segment.logName(baseOffset) + ": batch at position " + position
                    + " claims " + total + " bytes and " + count + " records; segment size " + sizeBytes);
        }
        return new Header((int) total, b.getLong(10), count);
    }

    /** Decodes and fully validates (CRC included) the batch at {@code position}. */
    static RecordBatch decodeAt(StorageFile file, long sizeBytes, long position)
            throws IOException, CorruptBatchException {
        ByteBuffer lengthField = readBytes(file, sizeBytes, position, RecordBatch.LENGTH_FIELD_BYTES);
        long total = lengthField.remaining() < RecordBatch.LENGTH_FIELD_BYTES
                ? RecordBatch.LENGTH_FIELD_BYTES : lengthField.getInt(0) + (long) RecordBatch.LENGTH_FIELD_BYTES;
        // Read no more than the segment holds nor than any batch may be: a torn length can claim anything.
        long wanted = Math.max(RecordBatch.LENGTH_FIELD_BYTES, Math.min(total, RecordBatch.BATCH_BYTES_LIMIT));
        ByteBuffer batch = readBytes(file, sizeBytes, position, (int) wanted);
        if (batch.remaining() == total) {
            // The buffer's array is exactly the batch and nobody else holds it: no copy.
            return RecordBatch.decodeOwned(batch.array(), RecordBatch.BATCH_BYTES_LIMIT);
        }
        return RecordBatch.decode(batch, RecordBatch.BATCH_BYTES_LIMIT); // short or torn: decode names the fault
    }

    private static ByteBuffer readBytes(StorageFile file, long sizeBytes, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, Math.min(length, sizeBytes - position)));
        while (buf.hasRemaining()) {
            if (file.read(position + buf.position(), buf) <= 0) {
                break;
            }
        }
        return buf.flip();
    }
}
