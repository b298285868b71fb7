package io.semel.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard error shared by a one-line progress bar and everything else (log lines of the client
 * library, error messages). The bar is redrawn in place with carriage returns; a log line written
 * while it is drawn would otherwise continue the bar's line and be overwritten by the next redraw.
 * So every other write first erases the bar (the log line then starts at column 0 on a line of its
 * own), and the bar is drawn again, below it, at its next update.
 *
 * <p>{@link #install()} puts a guard in front of {@code System.err}, so logging frameworks that
 * look up {@code System.err} per line (slf4j-simple does) go through it. Thread-safe: one lock
 * orders the bar and the other writers.
 */
final class ConsoleLines {
    private static volatile ConsoleLines installed;

    private final PrintStream raw;
    private final Object lock = new Object();
    private int barChars; // guarded by lock; 0 = no bar on screen

    ConsoleLines(PrintStream raw) {
        this.raw = raw;
    }

    /** Guards {@code System.err} for the rest of the JVM's life (the CLI's main only). */
    static synchronized ConsoleLines install() {
        if (installed == null) {
            ConsoleLines c = new ConsoleLines(System.err);
            System.setErr(new PrintStream(c.guard(), true, StandardCharsets.UTF_8));
            installed = c;
        }
        return installed;
    }

    /** The guard of {@code System.err}, or null when not installed (tests that run commands in-process). */
    static ConsoleLines installed() {
        return installed;
    }

    /** Draws (or redraws) the bar in place. */
    void drawBar(String text) {
        synchronized (lock) {
            // Pad over a longer previous bar so no tail of it stays visible.
            String pad = text.length() < barChars ? " ".repeat(barChars - text.length()) : "";
            raw.print("\r" + text + pad);
            raw.flush();
            barChars = Math.max(1, text.length());
        }
    }

    /** Erases the bar, if drawn. */
    void clearBar() {
        synchronized (lock) {
            erase();
            raw.flush();
        }
    }

    private void erase() {
        if (barChars > 0) {
            raw.print("\r" + " ".repeat(barChars) + "\r");
            barChars = 0;
        }
    }

    /** The stream everything but the bar writes through. */
    OutputStream guard() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (lock) {
                    erase();
                    raw.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (lock) {
                    erase();
                    raw.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                raw.flush();
            }
        };
    }
}
