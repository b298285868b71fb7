package io.semel.processor.store;

import java.util.OptionalLong;

/**
 * Outbox rows the relay has not yet marked sent: how many, and when the oldest was committed (the
 * relay's lag, in rows and in time).
 *
 * @param oldestCreatedAtMs creation time of the oldest unsent row; empty when none is unsent
 */
public record OutboxBacklog(long unsent, OptionalLong oldestCreatedAtMs) {
    /** Age of the oldest unsent row at {@code nowMs}, 0 when none. */
    public long oldestAgeMs(long nowMs) {
        return oldestCreatedAtMs.isPresent() ? Math.max(0, nowMs - oldestCreatedAtMs.getAsLong()) : 0;
    }
}
