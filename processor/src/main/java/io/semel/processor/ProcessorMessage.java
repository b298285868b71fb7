package io.semel.processor;

import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;

/**
 * The message handed to a {@link Handler}. Immutable; the arrays are not copied, do not modify them.
 *
 * @param messageId the dedup identity (see {@link SourceMessage#messageIdOf}); outgoing messages sent
 *     from the handler get ids {@code <messageId>#<n>}
 * @param attempt 1-based: the source's delivery count in TRANSACTIONAL mode; the stored attempts + 1
 *     in STORE_THEN_PROCESS mode
 */
public record ProcessorMessage(String messageId, String topic, int partition, long offset, byte[] key, byte[] value,
        List<Header> headers, int attempt) {

    public ProcessorMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }
}
