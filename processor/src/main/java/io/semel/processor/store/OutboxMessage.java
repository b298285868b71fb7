package io.semel.processor.store;

import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;

/**
 * A message to publish after commit, written in the sender's transaction by
 * {@link StoreTransaction#enqueueOutbox}. Arrays are not copied.
 *
 * @param messageId deterministic id (derived from the incoming message), unique in the outbox; at
 *     most {@link StoreLimits#MESSAGE_ID_BYTES_MAX} UTF-8 bytes
 * @param key nullable
 * @param value nullable (a tombstone)
 */
public record OutboxMessage(String topic, byte[] key, byte[] value, List<Header> headers, String messageId,
        long createdAtMs) {

    public OutboxMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(messageId, "messageId");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }
}
