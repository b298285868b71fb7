package io.semel.processor.store;

import java.util.OptionalLong;

/**
 * A stored outbox message with its row id (the relay's sequence number: strictly increasing in commit
 * order, see {@code docs/store.md}) and, once published, when it was marked sent.
 */
public record OutboxRow(long id, OutboxMessage message, OptionalLong sentAtMs) {
}
