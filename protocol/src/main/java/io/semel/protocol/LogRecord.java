package io.semel.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record of a batch: optional key, optional value, headers. Immutable; arrays are not copied,
 * so callers must not modify them after construction.
 */
public final class LogRecord {
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;

    public LogRecord(byte[] key, byte[] value, List<Header> headers) {
        this.key = key;
        this.value = value;
        this.headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
    }

    public static LogRecord of(byte[] key, byte[] value) {
        return new LogRecord(key, value, List.of());
    }

    /** The key, or null. */
    public byte[] key() {
        return key;
    }

    /** The value, or null. */
    public byte[] value() {
        return value;
    }

    public List<Header> headers() {
        return headers;
    }

    /** Bytes this record takes inside a batch. */
    public int encodedSize() {
        int size = 4 + len(key) + 4 + len(value) + 4;
        for (Header h : headers) {
            size += 4 + RecordBatch.utf8Length(h.key()) + 4 + h.value().length;
        }
        return size;
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r && Arrays.equals(key, r.key) && Arrays.equals(value, r.value)
                && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }
}
