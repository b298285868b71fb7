package io.semel.protocol.internal;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import io.semel.protocol.Protocol;
import io.semel.protocol.RecordBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Appends protocol primitives, big-endian, to a growing byte array. Not thread-safe; one per message.
 *
 * <p>Limits are checked here as well as on read: a writer that produced what the reader rejects
 * would turn a local bug into a remote "invalid request". Violations are programming errors
 * ({@link IllegalArgumentException}); user-supplied values are validated before they get here.
 */
public final class WireWriter {
    private static final VarHandle INT16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] bytes;
    private int size;

    public WireWriter() {
        this(0, 0);
    }

    private WireWriter(int reserved, int bodyBytesHint) {
        bytes = new byte[(int) Math.min(BYTES_HINT_MAX, Math.max(64, (long) reserved + Math.max(0, bodyBytesHint)))];
        size = reserved;
    }

    private WireWriter(byte[] scratch, int reserved) {
        bytes = scratch;
        size = reserved;
    }

    /** Most bytes a writer allocates up front on a hint (it still grows past it when written to). */
    static final int BYTES_HINT_MAX = 16 * 1024 * 1024;

    /**
     * A writer whose first {@code bytes} are left for a header that is known only at the end (a
     * frame's length): written later with {@link #patchInt32}/{@link #patchInt16}, so the body is
     * never copied behind its header.
     */
    public static WireWriter reserving(int bytes) {
        return reserving(bytes, 0);
    }

    /** {@link #reserving(int)} with room for about {@code bodyBytesHint} bytes after the reserved ones. */
    public static WireWriter reserving(int bytes, int bodyBytesHint) {
        if (bytes < 0) {
            throw new IllegalArgumentException("reserved bytes " + bytes + " < 0");
        }
        return new WireWriter(bytes, bodyBytesHint);
    }

    /**
     * A writer over {@code scratch}, the caller's array reused from one message to the next, with its
     * first {@code reserved} bytes left as {@link #reserving} leaves them: a large message written
     * into an array that is already allocated and in cache, rather than a fresh one each time. It
     * grows into a new array when written past {@code scratch} ({@link #array()} then returns that).
     * The caller owns {@code scratch}: it must be done with what {@link #wrapped()} returned before
     * handing the array to the next writer.
     */
    public static WireWriter into(byte[] scratch, int reserved) {
        Objects.requireNonNull(scratch, "scratch");
        if (reserved < 0 || reserved > scratch.length) {
            throw new IllegalArgumentException("reserved bytes " + reserved + " outside 0.." + scratch.length);
        }
        return new WireWriter(scratch, reserved);
    }

    /** The array written into: the one given to {@link #into}, or the larger one it grew into. */
    public byte[] array() {
        return bytes;
    }

    public WireWriter patchInt16(int at, int v) {
        Objects.checkFromIndexSize(at, 2, size);
        INT16.set(bytes, at, (short) v);
        return this;
    }

    public WireWriter patchInt32(int at, int v) {
        Objects.checkFromIndexSize(at, 4, size);
        INT32.set(bytes, at, v);
        return this;
    }

    public WireWriter writeInt8(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
        return this;
    }

    public WireWriter writeBoolean(boolean v) {
        return writeInt8(v ? 1 : 0);
    }

    public WireWriter writeInt16(int v) {
        ensure(2);
        INT16.set(bytes, size, (short) v);
        size += 2;
        return this;
    }

    public WireWriter writeInt32(int v) {
        ensure(4);
        INT32.set(bytes, size, v);
        size += 4;
        return this;
    }

    public WireWriter writeInt64(long v) {
        ensure(8);
        INT64.set(bytes, size, v);
        size += 8;
        return this;
    }

    public WireWriter writeErrorCode(ErrorCode code) {
        return writeInt16(code.code());
    }

    /** int16 length, -1 for null, then UTF-8 bytes (at most {@link Protocol#MAX_STRING_BYTES}). */
    public WireWriter writeNullableString(String s) {
        if (s == null) {
            return writeInt16(-1);
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > Protocol.MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + utf8.length + " UTF-8 bytes exceeds "
                    + Protocol.MAX_STRING_BYTES + " bytes");
        }
        writeInt16(utf8.length);
        return writeRaw(utf8);
    }

    /** A non-null string; null here is a bug in the caller. */
    public WireWriter writeString(String s) {
        if (s == null) {
            throw new IllegalArgumentException("non-nullable string field is null");
        }
        return writeNullableString(s);
    }

    /** int32 length, -1 for null, then the bytes. */
    public WireWriter writeNullableBytes(byte[] b) {
        if (b == null) {
            return writeInt32(-1);
        }
        writeInt32(b.length);
        return writeRaw(b);
    }

    /** int32 length then the bytes remaining in {@code b} (its position is not moved). */
    public WireWriter writeBytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        writeInt32(d.remaining());
        ensure(d.remaining());
        int n = d.remaining();
        d.get(bytes, size, n);
        size += n;
        return this;
    }

    /** A record batch as an int32-length bytes field. */
    public WireWriter writeBatch(RecordBatch batch) {
        return writeBytes(batch.buffer());
    }

    /** int32 count, then each header as string key and bytes value. */
    public WireWriter writeHeaders(List<Header> headers) {
        writeCount(headers.size());
        for (Header h : headers) {
            writeString(h.key());
            writeNullableBytes(h.value());
        }
        return this;
    }

    /** int32 element count of a list (at most {@link Protocol#MAX_LIST_ITEMS}). */
    public WireWriter writeCount(int count) {
        if (count < 0 || count > Protocol.MAX_LIST_ITEMS) {
            throw new IllegalArgumentException("list of " + count + " items; allowed 0.." + Protocol.MAX_LIST_ITEMS);
        }
        return writeInt32(count);
    }

    /** The bytes remaining in {@code b}, without a length (its position is not moved). */
    public WireWriter writeRaw(ByteBuffer b) {
        int n = b.remaining();
        ensure(n);
        b.duplicate().get(bytes, size, n);
        size += n;
        return this;
    }

    public WireWriter writeRaw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
        return this;
    }

    /** Bytes written so far. */
    public int size() {
        return size;
    }

    /** Bytes this writer holds room for now (it grows when written past them). */
    public int capacity() {
        return bytes.length;
    }

    /**
     * What was written, as a buffer over this writer's own array (no copy), positioned at 0: the
     * writer must not be written to afterwards.
     */
    public ByteBuffer wrapped() {
        return ByteBuffer.wrap(bytes, 0, size).slice();
    }

    /** A copy of what was written, as a buffer positioned at 0. */
    public ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(Arrays.copyOf(bytes, size));
    }

    private void ensure(int more) {
        if (more > bytes.length - size) {
            long wanted = Math.max((long) bytes.length * 2, (long) size + more);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("message would exceed " + (Integer.MAX_VALUE - 8) + " bytes");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }
}
