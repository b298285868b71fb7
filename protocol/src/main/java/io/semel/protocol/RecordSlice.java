package io.semel.protocol;

import io.semel.protocol.CorruptBatchException.Reason;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Consecutive records in {@link RecordBatch}'s record layout (key, value, headers; no batch header),
 * as a range of an array that is never modified: a view of a stored batch, or of a received frame.
 * This is how a POLL v4 answer carries records from the log to the member without decoding and
 * re-encoding them on the way. Immutable; thread-safe; equal by content.
 *
 * <p>A slice is validated once, where its bytes come from outside ({@link #read}); slices of a
 * batch ({@link RecordBatch#records(int, int)}) are valid because the batch is.
 */
public final class RecordSlice {
    /** Receives the records of {@link #forEach} in order; arrays are fresh copies the receiver may keep. */
    @FunctionalInterface
    public interface Visitor {
        void record(int index, byte[] key, byte[] value, List<Header> headers);
    }

    private final byte[] bytes;
    private final int offset;
    private final int length;
    private final int count;

    private RecordSlice(byte[] bytes, int offset, int length, int count) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.count = count;
    }

    /** Encodes {@code records} (at least one) into a slice of a new array. */
    public static RecordSlice of(List<LogRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a record slice holds at least one record");
        }
        long size = 0;
        for (LogRecord r : records) {
            size += r.encodedSize();
        }
        if (size > RecordBatch.BATCH_BYTES_LIMIT) {
            throw new IllegalArgumentException(records.size() + " records of " + size + " bytes exceed "
                    + RecordBatch.BATCH_BYTES_LIMIT + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        for (LogRecord r : records) {
            RecordBatch.putRecord(buf, r);
        }
        return new RecordSlice(buf.array(), 0, (int) size, records.size());
    }

    /** A slice of bytes already known valid (a validated batch's records). */
    static RecordSlice trusted(byte[] bytes, int offset, int length, int count) {
        return new RecordSlice(bytes, offset, length, count);
    }

    /**
     * Checks that {@code bytes[offset, offset + length)} holds exactly {@code count} well-formed records
     * (lengths in range, header keys UTF-8) and returns a view of it (no copy: the caller must never
     * modify the array).
     *
     * @throws CorruptBatchException if it does not
     */
    public static RecordSlice read(byte[] bytes, int offset, int length, int count) throws CorruptBatchException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (count < 1 || count > length / RecordBatch.RECORD_MIN_BYTES) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, "record count " + count + " impossible in "
                    + length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length).slice();
        try {
            for (int i = 0; i < count; i++) {
                RecordBatch.skipRecord(b);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, count + " records overrun their " + length
                    + " bytes: " + e);
        }
        if (b.hasRemaining()) {
            throw new CorruptBatchException(Reason.BAD_CONTENT, b.remaining() + " bytes left after " + count
                    + " records");
        }
        return new RecordSlice(bytes, offset, length, count);
    }

    /** Records in this slice, at least 1. */
    public int count() {
        return count;
    }

    /** Bytes of the records. */
    public int sizeInBytes() {
        return length;
    }

    /** Whether {@code next} starts where this slice ends in the same array, so {@link #join} needs no copy. */
    public boolean adjoins(RecordSlice next) {
        return next.bytes == bytes && next.offset == offset + length;
    }

    /** This slice followed by {@code next}, which must {@link #adjoins adjoin} it. */
    public RecordSlice join(RecordSlice next) {
        if (!adjoins(next)) {
            throw new IllegalArgumentException("slices do not adjoin");
        }
        return new RecordSlice(bytes, offset, length + next.length, count + next.count);
    }

    /** Each record as a slice of its own (views), in order: one walk over the lengths. */
    public RecordSlice[] split() {
        if (count == 1) {
            return new RecordSlice[] {this};
        }
        RecordSlice[] out = new RecordSlice[count];
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        for (int i = 0; i < count; i++) {
            int start = b.position();
            RecordBatch.skipLengths(b);
            out[i] = new RecordSlice(bytes, start, b.position() - start, 1);
        }
        return out;
    }

    /** The record at {@code index} as a slice of its own (a view; walks the lengths of those before it). */
    public RecordSlice record(int index) {
        Objects.checkIndex(index, count);
        if (count == 1) {
            return this;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        for (int i = 0; i < index; i++) {
            RecordBatch.skipLengths(b);
        }
        int start = b.position();
        RecordBatch.skipLengths(b);
        return new RecordSlice(bytes, start, b.position() - start, 1);
    }

    /** A read-only view of the records' bytes, positioned at 0. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer();
    }

    /** Decodes each record in order (the slice is valid, so this cannot fail). */
    public void forEach(Visitor visitor) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        for (int i = 0; i < count; i++) {
            byte[] key = RecordBatch.getBytes(b);
            byte[] value = RecordBatch.getBytes(b);
            int headerCount = b.getInt();
            List<Header> headers = List.of();
            if (headerCount > 0) {
                Header[] hs = new Header[headerCount];
                for (int h = 0; h < headerCount; h++) {
                    int keyLength = b.getInt();
                    String hk = new String(bytes, b.position(), keyLength, StandardCharsets.UTF_8);
                    b.position(b.position() + keyLength);
                    hs[h] = new Header(hk, RecordBatch.getBytes(b));
                }
                headers = List.of(hs);
            }
            visitor.record(i, key, value, headers);
        }
    }

    /** The records, decoded. */
    public List<LogRecord> records() {
        List<LogRecord> out = new ArrayList<>(count);
        forEach((i, key, value, headers) -> out.add(new LogRecord(key, value, headers)));
        return Collections.unmodifiableList(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordSlice s && s.count == count
                && Arrays.equals(bytes, offset, offset + length, s.bytes, s.offset, s.offset + s.length);
    }

    @Override
    public int hashCode() {
        int h = count;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "RecordSlice{" + count + " records, " + length + " bytes}";
    }
}
