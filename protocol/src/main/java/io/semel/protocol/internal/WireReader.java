package io.semel.protocol.internal;

import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import io.semel.protocol.Protocol;
import io.semel.protocol.ProtocolException;
import io.semel.protocol.RecordBatch;
import io.semel.protocol.RecordSlice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads protocol primitives, big-endian, from one message body. Not thread-safe; one per message.
 *
 * <p>Every read checks the bytes remaining first and throws {@link ProtocolException} with
 * {@link ErrorCode#INVALID_REQUEST} on underflow, a negative or oversized length, malformed UTF-8,
 * or a list count that the remaining bytes cannot hold — so a hostile length can never make the
 * reader allocate more than the frame it came in.
 */
public final class WireReader {
    private final ByteBuffer buf;
    private CharsetDecoder utf8;
    /** The last ASCII string read and its bytes: read again (a topic per delivery), it is not built again. */
    private byte[] last = new byte[0];
    private String lastString = "";
    /** Longest string remembered that way. */
    private static final int REMEMBERED_STRING_BYTES_MAX = 256;

    /** Reads from {@code body}'s position to its limit; {@code body} itself is not moved. */
    public WireReader(ByteBuffer body) {
        this.buf = body.slice().order(ByteOrder.BIG_ENDIAN);
    }

    public int remaining() {
        return buf.remaining();
    }

    public int readInt8() throws ProtocolException {
        need(1, "int8");
        return buf.get();
    }

    /** Strictly 0 or 1, so one value has one encoding. */
    public boolean readBoolean() throws ProtocolException {
        int v = readInt8();
        if (v != 0 && v != 1) {
            throw invalid("boolean byte " + v + ", expected 0 or 1");
        }
        return v == 1;
    }

    public short readInt16() throws ProtocolException {
        need(2, "int16");
        return buf.getShort();
    }

    public int readInt32() throws ProtocolException {
        need(4, "int32");
        return buf.getInt();
    }

    public long readInt64() throws ProtocolException {
        need(8, "int64");
        return buf.getLong();
    }

    /** An int32 that must lie in [min, max]; the field name goes into the error. */
    public int readInt32(String field, int min, int max) throws ProtocolException {
        int v = readInt32();
        if (v < min || v > max) {
            throw invalid(field + " " + v + " out of range " + min + ".." + max);
        }
        return v;
    }

    /** An int64 that must lie in [min, max]; the field name goes into the error. */
    public long readInt64(String field, long min, long max) throws ProtocolException {
        long v = readInt64();
        if (v < min || v > max) {
            throw invalid(field + " " + v + " out of range " + min + ".." + max);
        }
        return v;
    }

    /** An unknown number maps to UNKNOWN_SERVER_ERROR, as {@link ErrorCode#forCode} documents. */
    public ErrorCode readErrorCode() throws ProtocolException {
        return ErrorCode.forCode(readInt16());
    }

    public String readNullableString() throws ProtocolException {
        short length = readInt16();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw invalid("string length " + length + ", expected -1 or 0.." + Protocol.MAX_STRING_BYTES);
        }
        need(length, "string");
        int start = buf.position();
        buf.position(start + length);
        if (length > 0 && length == last.length && sameBytes(start, last)) {
            // A poll's topic, repeated in every delivery: one string for all of them.
            return lastString;
        }
        if (isAscii(start, length)) {
            // Topic and group names, header keys: ASCII, which is valid UTF-8 as it stands. The
            // checked decoder below costs a decoder and a char buffer per string: most of a poll's decode.
            byte[] ascii = new byte[length];
            buf.get(start, ascii);
            String s = new String(ascii, StandardCharsets.US_ASCII);
            if (length <= REMEMBERED_STRING_BYTES_MAX) {
                last = ascii;
                lastString = s;
            }
            return s;
        }
        try {
            CharBuffer chars = utf8Decoder().decode(buf.duplicate().position(start).limit(start + length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw invalid("string of " + length + " bytes is not valid UTF-8");
        }
    }

    /** Whether the {@code b.length} bytes at {@code start} are {@code b}'s. */
    private boolean sameBytes(int start, byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (buf.get(start + i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean isAscii(int start, int length) {
        for (int i = start; i < start + length; i++) {
            if (buf.get(i) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Reporting malformed input, not replacing it: a string has one encoding. Made on first non-ASCII string. */
    private CharsetDecoder utf8Decoder() {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        return utf8.reset();
    }

    public String readString(String field) throws ProtocolException {
        String s = readNullableString();
        if (s == null) {
            throw invalid(field + " is null but may not be");
        }
        return s;
    }

    public byte[] readNullableBytes() throws ProtocolException {
        int length = readInt32();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw invalid("bytes length " + length + ", expected -1 or more");
        }
        need(length, "bytes field");
        byte[] out = new byte[length];
        buf.get(out);
        return out;
    }

    public byte[] readBytes(String field) throws ProtocolException {
        byte[] b = readNullableBytes();
        if (b == null) {
            throw invalid(field + " is null but may not be");
        }
        return b;
    }

    /**
     * A record batch as an int32-length bytes field, fully validated by {@link RecordBatch#decode}.
     * A corrupt batch is answered with its own code (CORRUPT_MESSAGE, UNSUPPORTED_VERSION), not
     * INVALID_REQUEST: the frame was fine, the payload was not.
     */
    public RecordBatch readBatch() throws ProtocolException {
        ByteBuffer field = ByteBuffer.wrap(readBytes("batch"));
        try {
            RecordBatch batch = RecordBatch.decode(field, RecordBatch.BATCH_BYTES_LIMIT);
            if (field.hasRemaining()) {
                throw invalid(field.remaining() + " bytes after the batch in its " + field.capacity() + "-byte field");
            }
            return batch;
        } catch (CorruptBatchException e) {
            throw new ProtocolException(e.errorCode(), "record batch: " + e.getMessage());
        }
    }

    /**
     * {@code count} records in {@link io.semel.protocol.RecordBatch}'s record layout taking the next
     * {@code length} bytes, validated; a view of this reader's array when it has one (a received
     * frame's body is never reused), else a copy.
     */
    public RecordSlice readSlice(int count, int length) throws ProtocolException {
        need(length, "records");
        byte[] array;
        int from;
        if (buf.hasArray()) {
            array = buf.array();
            from = buf.arrayOffset() + buf.position();
        } else {
            array = new byte[length];
            buf.duplicate().get(array);
            from = 0;
        }
        try {
            RecordSlice slice = RecordSlice.read(array, from, length, count);
            buf.position(buf.position() + length);
            return slice;
        } catch (CorruptBatchException e) {
            throw new ProtocolException(e.errorCode(), "records: " + e.getMessage());
        }
    }

    /** int32 count, then each header as string key and non-null bytes value. */
    public List<Header> readHeaders() throws ProtocolException {
        int count = readCount(6);
        if (count == 0) {
            return List.of();
        }
        List<Header> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            headers.add(new Header(readString("header key"), readBytes("header value")));
        }
        return List.copyOf(headers);
    }

    /**
     * A list's int32 count, checked against {@link Protocol#MAX_LIST_ITEMS} and against the bytes
     * left, given that every element takes at least {@code minElementBytes}.
     */
    public int readCount(int minElementBytes) throws ProtocolException {
        int count = readInt32();
        if (count < 0 || count > Protocol.MAX_LIST_ITEMS) {
            throw invalid("list count " + count + ", allowed 0.." + Protocol.MAX_LIST_ITEMS);
        }
        if ((long) count * minElementBytes > buf.remaining()) {
            throw invalid("list of " + count + " items needs at least " + (long) count * minElementBytes
                    + " bytes, " + buf.remaining() + " left");
        }
        return count;
    }

    /** Checks that the message used every byte: trailing bytes mean a version or framing mismatch. */
    public void expectEnd(String message) throws ProtocolException {
        if (buf.hasRemaining()) {
            throw invalid(buf.remaining() + " trailing bytes after " + message);
        }
    }

    public static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_REQUEST, message);
    }

    private void need(int bytes, String what) throws ProtocolException {
        if (buf.remaining() < bytes) {
            throw invalid("need " + bytes + " bytes for " + what + ", " + buf.remaining() + " left");
        }
    }
}
