package io.semel.spring.internal;

import java.util.Map;
import java.util.Optional;

/**
 * One running outbox relay as the starter sees it, whatever it publishes to (Semel broker or
 * Kafka). Implementations are thread-safe like the relays they wrap.
 */
public interface RelayRunner extends AutoCloseable {
    /**
     * Monotonic counters since this relay started, by name; always the same names for one kind of
     * relay, and always {@code sent} (rows published) and {@code sessions} (producer sessions: one per
     * start and one after each error).
     */
    Map<String, Long> counters();

    /** Why the relay stopped on its own (it will not resume), if it did. */
    Optional<Throwable> failure();

    /** A short description for health details and logs. */
    String describe();

    /** Stops after the pass in flight and closes the producer; idempotent. */
    @Override
    void close();
}
