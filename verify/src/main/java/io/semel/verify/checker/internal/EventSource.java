package io.semel.verify.checker.internal;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.HistoryReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A history the checker can read more than once, in order: the index is built in one pass, and the events of
 * the few anomaly examples are picked up in a second pass (only when something was found), so no event needs to
 * stay in memory between the passes. Implementations: a {@link History} already in memory, and a file streamed
 * with {@link HistoryReader} on every pass (the file must not change between them).
 */
public interface EventSource {
    EventValue.Header header();

    /** Calls {@code sink} with every event after the header, in {@code i} order. */
    void forEach(Consumer<HistoryEvent> sink) throws IOException;

    static EventSource of(History history) {
        return new EventSource() {
            @Override
            public EventValue.Header header() {
                return history.header();
            }

            @Override
            public void forEach(Consumer<HistoryEvent> sink) {
                history.events().forEach(sink);
            }
        };
    }

    /**
     * A history file, streamed on each pass; the header is read here. Format errors surface as
     * {@link io.semel.verify.history.HistoryFormatException} with the line number.
     */
    static EventSource of(Path file) throws IOException {
        EventValue.Header header;
        try (HistoryReader r = HistoryReader.open(file)) {
            header = r.header();
        }
        return new EventSource() {
            @Override
            public EventValue.Header header() {
                return header;
            }

            @Override
            public void forEach(Consumer<HistoryEvent> sink) throws IOException {
                try (HistoryReader r = HistoryReader.open(file)) {
                    for (Optional<HistoryEvent> e = r.next(); e.isPresent(); e = r.next()) {
                        sink.accept(e.get());
                    }
                } catch (UncheckedIOException ex) {
                    throw ex.getCause();
                }
            }
        };
    }
}
