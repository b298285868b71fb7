package io.semel.console;

import java.util.List;
import java.util.function.LongPredicate;

/**
 * Moves dead letters back to the topic they came from. Implementations must be idempotent: redriving
 * the same dead letter again (a repeated click, a retry after a crash) must not append it twice.
 * Thread-safe.
 */
public interface Redriver {

    /** A dead letter: a record of a {@code <topic>.dlq} topic. */
    record DeadLetterId(int partition, long offset) {
    }

    /** What happened to one dead letter. */
    enum Status {
        /** Appended to its origin topic now. */
        REDRIVEN,
        /** It had been redriven before (its earlier append was found or it was already marked done). */
        ALREADY_REDRIVEN,
        /** Not redriven; {@link Outcome#detail()} says why. */
        FAILED
    }

    /**
     * @param target where it was appended ({@code topic-partition@offset}), or null
     * @param detail why it failed, or null
     */
    record Outcome(DeadLetterId id, Status status, String target, String detail) {
    }

    /** Redrives {@code selection} of {@code dlqTopic}, in offset order, one outcome each. */
    List<Outcome> redrive(String dlqTopic, List<DeadLetterId> selection);

    /** Tells which dead letters of {@code dlqTopic} partition {@code partition} are redriven already (marked done). */
    LongPredicate redriven(String dlqTopic, int partition);

    /** Releases connections; idempotent. */
    default void close() {
    }
}
