package io.semel.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar redrawn with carriage returns on standard error. Drawn only when
 * enabled (stderr is a terminal, or {@code --progress}) and only once the run has lasted
 * {@link #SHOW_AFTER_MS}, so short runs and pipes stay clean; never touches standard output. When
 * the CLI guards standard error ({@link ConsoleLines}), the bar is drawn through it, so client log
 * lines written meanwhile erase it and start on a line of their own instead of running into it.
 * Called from one thread (the command's); not thread-safe.
 */
final class Progress {
    /** Runs shorter than this never show a bar. */
    static final long SHOW_AFTER_MS = 1_000;
    private static final long REDRAW_EVERY_MS = 200;
    private static final int BAR_CHARS = 30;

    private final PrintWriter err;
    private final ConsoleLines console; // null: draw on err directly
    private final boolean enabled;
    private final long total;
    private final String unit;
    private final java.util.function.LongSupplier nanoTime;
    private final long startNanos;
    private long lastDrawNanos;
    private boolean drawn;

    /** @param total expected count, or -1 when unknown (then only the count and rate are shown) */
    Progress(PrintWriter err, boolean enabled, long total, String unit) {
        this(err, ConsoleLines.installed(), enabled, total, unit, System::nanoTime);
    }

    Progress(PrintWriter err, ConsoleLines console, boolean enabled, long total, String unit,
            java.util.function.LongSupplier nanoTime) {
        this.err = err;
        this.console = console;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        this.enabled = enabled;
        this.total = total;
        this.unit = unit;
    }

    /** True when standard error is a terminal (Linux: fd 2 links to a tty); false when unknown. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false; // not Linux or no /proc: stay quiet unless --progress
        }
    }

    void update(long done) {
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - startNanos < SHOW_AFTER_MS * 1_000_000L || now - lastDrawNanos < REDRAW_EVERY_MS * 1_000_000L) {
            return;
        }
        lastDrawNanos = now;
        double seconds = (now - startNanos) / 1e9;
        String rate = String.format("%,.0f %s/s", done / seconds, unit);
        String line;
        if (total > 0) {
            int filled = (int) Math.min(BAR_CHARS, done * BAR_CHARS / total);
            line = String.format("[%s%s] %,d/%,d %s, %s", "#".repeat(filled), " ".repeat(BAR_CHARS - filled), done,
                    total, unit, rate);
        } else {
            line = String.format("%,d %s, %s", done, unit, rate);
        }
        err.flush(); // whatever the command printed before goes out before the bar
        if (console != null) {
            console.drawBar(line);
        } else {
            err.print("\r" + line);
            err.flush();
        }
        drawn = true;
    }

    /** Erases the bar so the summary that follows starts on a clean line. */
    void finish() {
        if (drawn && console != null) {
            console.clearBar();
            drawn = false;
        } else if (drawn) {
            err.print("\r" + " ".repeat(BAR_CHARS + 60) + "\r");
            err.flush();
            drawn = false;
        }
    }
}
