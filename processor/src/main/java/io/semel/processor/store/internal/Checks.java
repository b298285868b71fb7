package io.semel.processor.store.internal;

import io.semel.processor.store.StoreLimits;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/** Argument checks against {@link StoreLimits}; every failure names the limit and the value. */
public final class Checks {
    private Checks() {
    }

    static void name(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        StoreLimits.check(what + " '" + abbreviate(value) + "' UTF-8 length", utf8Bytes(value), "NAME_BYTES_MAX",
                StoreLimits.NAME_BYTES_MAX);
    }

    /** A failure reason as stored: never null, cut to {@link StoreLimits#ERROR_CHARS_MAX}. */
    static String errorText(String error) {
        String e = error == null ? "(no message)" : error;
        return e.length() <= StoreLimits.ERROR_CHARS_MAX ? e : e.substring(0, StoreLimits.ERROR_CHARS_MAX - 3) + "...";
    }

    public static void messageId(String messageId) {
        Objects.requireNonNull(messageId, "messageId");
        if (messageId.isEmpty()) {
            throw new IllegalArgumentException("messageId must not be empty");
        }
        StoreLimits.check("message id '" + abbreviate(messageId) + "' UTF-8 length", utf8Bytes(messageId),
                "MESSAGE_ID_BYTES_MAX", StoreLimits.MESSAGE_ID_BYTES_MAX);
    }

    public static void payload(String messageId, byte[] key, byte[] value, List<Header> headers) {
        long bytes = (key == null ? 0 : key.length) + (long) (value == null ? 0 : value.length)
                + HeaderCodec.encodedBytes(headers);
        StoreLimits.check("payload (key + value + headers) of message '" + abbreviate(messageId) + "'", bytes,
                "PAYLOAD_BYTES_MAX", StoreLimits.PAYLOAD_BYTES_MAX);
    }

    static void batch(String what, int limit, String limitName, int max) {
        if (limit <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + limit);
        }
        StoreLimits.check(what, limit, limitName, max);
    }

    static void nonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + value);
        }
    }

    private static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
