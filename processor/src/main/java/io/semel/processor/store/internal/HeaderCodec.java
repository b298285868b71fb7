package io.semel.processor.store.internal;

import io.semel.processor.store.StoreLimits;
import io.semel.protocol.Header;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code headers} column's binary layout (big-endian). An empty header list is stored as SQL NULL.
 *
 * <table>
 *   <caption>headers blob</caption>
 *   <tr><th>field</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>version</td><td>u8</td><td>1</td></tr>
 *   <tr><td>count</td><td>u16</td><td>number of headers, at most {@link StoreLimits#HEADERS_COUNT_MAX}</td></tr>
 *   <tr><td>then per header: keyLength</td><td>u16</td><td>UTF-8 bytes of the key</td></tr>
 *   <tr><td>key</td><td>bytes</td><td>UTF-8</td></tr>
 *   <tr><td>valueLength</td><td>i32</td><td>bytes of the value, &ge; 0</td></tr>
 *   <tr><td>value</td><td>bytes</td><td>opaque</td></tr>
 * </table>
 *
 * No checksum: the database's own page checksums and transactions protect the row. A blob that does
 * not parse (truncated, trailing bytes, unknown version) is rejected with IllegalStateException.
 */
public final class HeaderCodec {
    static final int VERSION = 1;

    private HeaderCodec() {
    }

    /** Encoded size in bytes, for the payload limit. */
    public static int encodedBytes(List<Header> headers) {
        if (headers.isEmpty()) {
            return 0;
        }
        int n = 3;
        for (Header h : headers) {
            n += 2 + h.key().getBytes(StandardCharsets.UTF_8).length + 4 + h.value().length;
        }
        return n;
    }

    public static byte[] encode(List<Header> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        StoreLimits.check("header count", headers.size(), "HEADERS_COUNT_MAX", StoreLimits.HEADERS_COUNT_MAX);
        ByteBuffer buf = ByteBuffer.allocate(encodedBytes(headers));
        buf.put((byte) VERSION).putShort((short) headers.size());
        for (Header h : headers) {
            byte[] key = h.key().getBytes(StandardCharsets.UTF_8);
            StoreLimits.check("header key '" + h.key() + "' UTF-8 length", key.length, "65535 bytes", 0xffff);
            buf.putShort((short) key.length).put(key).putInt(h.value().length).put(h.value());
        }
        assert !buf.hasRemaining();
        return buf.array();
    }

    public static List<Header> decode(byte[] blob) {
        if (blob == null) {
            return List.of();
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(blob);
            int version = buf.get() & 0xff;
            if (version != VERSION) {
                throw new IllegalStateException("headers blob has version " + version + ", expected " + VERSION);
            }
            int count = buf.getShort() & 0xffff;
            List<Header> headers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] key = new byte[buf.getShort() & 0xffff];
                buf.get(key);
                int valueLength = buf.getInt();
                if (valueLength < 0) {
                    throw new IllegalStateException("header " + i + " has negative value length " + valueLength);
                }
                byte[] value = new byte[valueLength];
                buf.get(value);
                headers.add(new Header(new String(key, StandardCharsets.UTF_8), value));
            }
            if (buf.hasRemaining()) {
                throw new IllegalStateException("headers blob has " + buf.remaining() + " trailing bytes");
            }
            return List.copyOf(headers);
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("headers blob of " + blob.length + " bytes is truncated", e);
        }
    }
}
