package io.semel.verify.history;

import io.semel.verify.history.internal.HistoryCodec;
import io.semel.verify.history.internal.ProcessTracker;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams a history written by {@link HistoryWriter} (the format is documented there), one event at a
 * time, re-checking the writer's rules. Any line that is not valid JSON, lacks a field, has a field of the
 * wrong type, or breaks a rule (retired process reused, {@code i} not increasing, time going backwards or
 * further than {@link #SPAN_NS_MAX} from the header, …)
 * is a {@link HistoryFormatException} carrying its 1-based line number. The header is read on
 * construction.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class HistoryReader implements Closeable {
    /** The {@code proc} of the header line. */
    public static final String HEADER_PROC = "harness";
    /**
     * Longest a history may span, ns after its header's {@code tNs}: 30 days, far beyond any run. The
     * checker's summaries are laid out over the span (one bucket per second), so a far-future
     * {@code tNs} in a hand-edited or corrupt file must be refused here, not allocated for there.
     */
    public static final long SPAN_NS_MAX = 30L * 24 * 3600 * 1_000_000_000L;

    private final BufferedReader in;
    private final EventValue.Header header;
    private final ProcessTracker tracker = new ProcessTracker();
    private long lineNumber;
    private long lastI;
    private long lastTNs;
    private long headerTNs;

    /** Reads the header line from {@code in}. */
    public HistoryReader(Reader in) throws IOException {
        Objects.requireNonNull(in, "in");
        this.in = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String line = this.in.readLine();
        lineNumber = 1;
        if (line == null) {
            throw new HistoryFormatException(1, "empty history: the first line must be the header");
        }
        HistoryEvent first = parse(line);
        if (!(first.value() instanceof EventValue.Header h) || first.i() != 0) {
            throw new HistoryFormatException(1, "the first line must be the header event with i=0, got f="
                    + first.f().wireName() + " i=" + first.i());
        }
        header = h;
        lastI = 0;
        lastTNs = first.tNs();
        headerTNs = first.tNs();
    }

    /** Opens {@code file} (UTF-8) and reads its header. */
    public static HistoryReader open(Path file) throws IOException {
        BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        try {
            return new HistoryReader(r);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** Reads a whole history into memory. */
    public static History readAll(Path file) throws IOException {
        try (HistoryReader r = open(file)) {
            return r.readRest();
        }
    }

    /** Reads a whole history into memory from {@code in}, and closes it. */
    public static History readAll(Reader in) throws IOException {
        try (HistoryReader r = new HistoryReader(in)) {
            return r.readRest();
        }
    }

    public EventValue.Header header() {
        return header;
    }

    /** The next event, or empty at the end of the history. */
    public Optional<HistoryEvent> next() throws IOException {
        String line = in.readLine();
        if (line == null) {
            return Optional.empty();
        }
        lineNumber++;
        HistoryEvent e = parse(line);
        if (e.i() <= lastI) {
            throw new HistoryFormatException(lineNumber, "i=" + e.i() + " does not increase (previous i=" + lastI + ")");
        }
        if (e.tNs() < lastTNs) {
            throw new HistoryFormatException(lineNumber, "tNs=" + e.tNs() + " goes backwards (previous tNs="
                    + lastTNs + ")");
        }
        // tNs >= the header's here, so a negative difference is an overflow: farther still.
        long sinceHeaderNs = e.tNs() - headerTNs;
        if (sinceHeaderNs < 0 || sinceHeaderNs > SPAN_NS_MAX) {
            throw new HistoryFormatException(lineNumber, "tNs=" + e.tNs() + " is more than SPAN_NS_MAX " + SPAN_NS_MAX
                    + " ns after the header's tNs=" + headerTNs);
        }
        try {
            tracker.accept(e);
        } catch (IllegalStateException ex) {
            throw new HistoryFormatException(lineNumber, ex.getMessage(), ex);
        }
        lastI = e.i();
        lastTNs = e.tNs();
        return Optional.of(e);
    }

    /** The remaining events as a lazy stream; I/O errors surface as {@link UncheckedIOException}. */
    public Stream<HistoryEvent> events() {
        Iterator<HistoryEvent> it = new Iterator<>() {
            private Optional<HistoryEvent> pending;

            @Override
            public boolean hasNext() {
                if (pending == null) {
                    try {
                        pending = HistoryReader.this.next();
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }
                return pending.isPresent();
            }

            @Override
            public HistoryEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                HistoryEvent e = pending.get();
                pending = null;
                return e;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false);
    }

    private History readRest() throws IOException {
        List<HistoryEvent> events = new ArrayList<>();
        for (Optional<HistoryEvent> e = next(); e.isPresent(); e = next()) {
            events.add(e.get());
        }
        return new History(header, events);
    }

    private HistoryEvent parse(String line) {
        try {
            return HistoryCodec.decode(line);
        } catch (IllegalArgumentException ex) {
            throw new HistoryFormatException(lineNumber, ex.getMessage(), ex);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
