package io.semel.processor.store;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A stored outbox message with its row id (strictly increasing in commit order, with gaps from
 * rolled-back transactions; see {@code docs/store.md}), its relay assignment once the relay gave it a
 * partition and sequence (schema v2), and, once published, when it was marked sent.
 */
public record OutboxRow(long id, OutboxMessage message, OptionalLong sentAtMs, Optional<OutboxAssignment> assignment) {
    public OutboxRow {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(sentAtMs, "sentAtMs");
        Objects.requireNonNull(assignment, "assignment");
    }

    /** A row without an assignment (the shape before schema v2). */
    public OutboxRow(long id, OutboxMessage message, OptionalLong sentAtMs) {
        this(id, message, sentAtMs, Optional.empty());
    }
}
