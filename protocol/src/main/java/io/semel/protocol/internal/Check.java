package io.semel.protocol.internal;

import java.util.Objects;

/**
 * Argument checks for message constructors. They mirror the decoders' range checks, so a message
 * that can be built can be sent, and one that decodes can be built.
 */
public final class Check {
    private Check() {
    }

    public static <T> T notNull(T value, String field) {
        return Objects.requireNonNull(value, () -> field + " may not be null");
    }

    public static long range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " " + value + " out of range " + min + ".." + max);
        }
        return value;
    }
}
