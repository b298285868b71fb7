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
        utf8Length(what, value, "NAME_BYTES_MAX", StoreLimits.NAME_BYTES_MAX);
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
        utf8Length("message id", messageId, "MESSAGE_ID_BYTES_MAX", StoreLimits.MESSAGE_ID_BYTES_MAX);
    }

    public static void payload(String messageId, byte[] key, byte[] value, List<Header> headers) {
        long bytes = (key == null ? 0 : key.length) + (long) (value == null ? 0 : value.length)
                + HeaderCodec.encodedBytes(headers);
        if (bytes > StoreLimits.PAYLOAD_BYTES_MAX) { // the text only when it is needed: this runs per message
            StoreLimits.check("payload (key + value + headers) of message '" + abbreviate(messageId) + "'", bytes,
                    "PAYLOAD_BYTES_MAX", StoreLimits.PAYLOAD_BYTES_MAX);
        }
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

    /**
     * Checks {@code value}'s UTF-8 length against {@code max}. Runs several times per message (ids, topic
     * and consumer names), so a string short enough to fit whatever its characters is not encoded, and
     * the error text is built only for a value over the limit.
     */
    private static void utf8Length(String what, String value, String limitName, int max) {
        // At most 3 UTF-8 bytes per char (a 4-byte code point is a surrogate pair, 2 chars).
        if ((long) value.length() * 3 <= max) {
            return;
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > max) {
            StoreLimits.check(what + " '" + abbreviate(value) + "' UTF-8 length", bytes, limitName, max);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
