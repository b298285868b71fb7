package io.semel.verify.run;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The workload's one message: "add {@code amt} to account {@code account}", globally unique by {@code id}.
 * A non-idempotent increment, so every duplicate or loss changes a balance (DESIGN §6). Immutable.
 *
 * <h2>Value encoding</h2>
 * UTF-8 text {@code <id>|<account>|<amt>}, e.g. {@code p2-000123|a07|42}. The record key is the account
 * (so one account's messages share a partition) and the header {@code semel.id} carries the id, which the
 * exactly-once processor uses as its inbox dedup key. Neither id nor account may contain {@code |}.
 */
public record AddMessage(String id, String account, long amt) {
    /** Header carrying the id (equals {@code io.semel.processor.SourceMessage.ID_HEADER}). */
    public static final String ID_HEADER = "semel.id";
    private static final char SEPARATOR = '|';

    public AddMessage {
        requireField(id, "id");
        requireField(account, "account");
    }

    public byte[] encodeValue() {
        return (id + SEPARATOR + account + SEPARATOR + amt).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] encodeKey() {
        return account.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a value written by {@link #encodeValue()}.
     *
     * @throws IllegalArgumentException if it is not exactly three fields with a numeric amount
     */
    public static AddMessage decodeValue(byte[] value) {
        Objects.requireNonNull(value, "value");
        String s = new String(value, StandardCharsets.UTF_8);
        int a = s.indexOf(SEPARATOR);
        int b = a < 0 ? -1 : s.indexOf(SEPARATOR, a + 1);
        if (a <= 0 || b <= a + 1 || s.indexOf(SEPARATOR, b + 1) >= 0) {
            throw new IllegalArgumentException("not a verify message (expected 'id|account|amt'): '" + shorten(s) + "'");
        }
        try {
            return new AddMessage(s.substring(0, a), s.substring(a + 1, b), Long.parseLong(s.substring(b + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("verify message '" + shorten(s) + "' has a non-numeric amount", e);
        }
    }

    private static void requireField(String v, String what) {
        if (v == null || v.isEmpty() || v.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException(what + " must be non-empty and free of '" + SEPARATOR + "', got " + v);
        }
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
