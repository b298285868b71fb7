package io.semel.verify.history;

import java.util.List;
import java.util.Objects;

/**
 * A whole history in memory: the header and the events after it, in {@code i} order. Immutable.
 * Produced by {@link HistoryReader#readAll}; the checker consumes it.
 */
public record History(EventValue.Header header, List<HistoryEvent> events) {
    public History {
        Objects.requireNonNull(header, "header");
        events = List.copyOf(events);
    }
}
