package io.semel.processor.store;

/**
 * An outbox row the relay gave up on (FAILED): the broker refused it {@code attempts} times for a
 * reason of the row itself (too large, unknown topic). Kept, with a copy sent to {@code <topic>.dlq}
 * unless the row already went to a dead-letter topic, until an operator deletes it.
 */
public record FailedOutboxRow(long id, String topic, String messageId, int attempts, String lastError,
        long failedAtMs) {
}
