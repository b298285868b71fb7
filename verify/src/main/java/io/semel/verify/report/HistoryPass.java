package io.semel.verify.report;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.HistoryReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One pass over a history file, one event at a time, for the report's figures (the post-run path and
 * {@code semel check} never hold a soak's history whole: docs/verify.md, "Checking a soak-sized history").
 * Memory: what the sinks keep, plus the reader's own rule state while the pass runs ({@link HistoryReader}
 * re-checks that every send id is invoked once and that retired processes stay retired: one set entry per send
 * id and per retired process, about 100 bytes each). Stateless.
 */
final class HistoryPass {
    private HistoryPass() {
    }

    /**
     * Calls {@code sink} with every event after the header, in file order, and returns the header.
     *
     * @throws io.semel.verify.history.HistoryFormatException if a line breaks the format (with its line number)
     */
    static EventValue.Header forEach(Path file, Consumer<HistoryEvent> sink) throws IOException {
        try (HistoryReader r = HistoryReader.open(file)) {
            for (Optional<HistoryEvent> e = r.next(); e.isPresent(); e = r.next()) {
                sink.accept(e.get());
            }
            return r.header();
        }
    }
}
