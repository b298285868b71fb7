package io.semel.verify.checker;

import io.semel.verify.checker.internal.CheckRun;
import io.semel.verify.checker.internal.EventSource;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.HistoryFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The offline exactly-once checker (DESIGN §6, docs/verify.md): computes the send outcome sets, the drained
 * log and applied multisets, every anomaly, and a verdict judged against the guarantee the history's header
 * names. Pure and deterministic: same history → same result, whether from memory or from a file.
 * Thread-safe (immutable).
 *
 * <p>Memory: the checker keeps compact indexes, not events (about 110 bytes per event of a soak history; a
 * 7-million-event history is checked within {@code -Xmx4g}, docs/verify.md). {@link #check(Path)} streams the
 * file, so only those indexes are held; {@link #check(History)} needs the whole history in memory first, several
 * times the file's size, and is meant for small histories and tests.
 */
public final class Checker {
    private final CheckerOptions options;

    public Checker(CheckerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Checker() {
        this(CheckerOptions.defaults());
    }

    public CheckResult check(History history) {
        return CheckRun.check(Objects.requireNonNull(history, "history"), options);
    }

    /**
     * Checks a history file without holding it in memory: it is read once for the index and, only when some
     * anomaly was found, once more for the events of its examples. The file must not change meanwhile.
     *
     * @throws HistoryFormatException if a line breaks the format (with its line number), as {@code HistoryReader}
     */
    public CheckResult check(Path historyFile) throws IOException {
        return check(historyFile, e -> { });
    }

    /**
     * {@link #check(Path)} that also hands every event after the header, in file order, to {@code alsoSee} during
     * its first pass, so a caller's own figures (the run's health) cost no pass of their own over a soak's history.
     */
    public CheckResult check(Path historyFile, Consumer<HistoryEvent> alsoSee) throws IOException {
        return CheckRun.check(EventSource.of(Objects.requireNonNull(historyFile, "historyFile")), options,
                Objects.requireNonNull(alsoSee, "alsoSee"));
    }
}
