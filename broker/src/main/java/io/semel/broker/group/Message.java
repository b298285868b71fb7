package io.semel.broker.group;

import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;

/**
 * One message as the log holds it. Arrays are not copied (as in {@code LogRecord}); nobody may
 * modify them.
 *
 * @param key may be null
 * @param value may be null
 */
public record Message(long offset, long timestampMs, byte[] key, byte[] value, List<Header> headers) {
    public Message {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
    }
}
