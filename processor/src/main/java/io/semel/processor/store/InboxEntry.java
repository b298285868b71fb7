package io.semel.processor.store;

import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;

/**
 * One incoming message as recorded in the inbox. {@code key}, {@code value} and {@code headers} are
 * the payload kept for store-then-process mode; transactional mode may leave them null/empty.
 * Arrays are not copied.
 *
 * @param messageId unique per consumer; at most {@link StoreLimits#MESSAGE_ID_BYTES_MAX} UTF-8 bytes
 * @param offset the source offset of the message in {@code topic}/{@code partition}
 * @param receivedAtMs wall-clock time the processor received it, epoch milliseconds
 */
public record InboxEntry(String messageId, String topic, int partition, long offset, long receivedAtMs,
        byte[] key, byte[] value, List<Header> headers) {

    public InboxEntry {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** An entry without payload, for transactional mode where the handler already ran. */
    public static InboxEntry of(String messageId, String topic, int partition, long offset, long receivedAtMs) {
        return new InboxEntry(messageId, topic, partition, offset, receivedAtMs, null, null, List.of());
    }
}
