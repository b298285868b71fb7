package io.semel.broker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Verify mode's wall clock: the system clock plus an offset the verify harness changes at run time, to jump the
 * broker's wall clock forwards and back (a clock-jump fault). Enabled when the system property
 * {@value #OFFSET_FILE_PROPERTY} names a file; the file holds one decimal number, the offset in milliseconds
 * (a missing or empty file is 0). A daemon thread re-reads it every {@value #POLL_MS} ms, so a jump takes effect
 * within that; a file that does not parse keeps the last offset and is reported once per change on stderr.
 *
 * <p>Thread-safe: the offset is one volatile field.
 */
public final class ControlledClock extends Clock {
    public static final String OFFSET_FILE_PROPERTY = "semel.verify.clockOffsetFile";
    static final long POLL_MS = 20;

    private final Clock base;
    private final Path file;
    private volatile long offsetMs;
    private String lastProblem;

    private ControlledClock(Clock base, Path file) {
        this.base = base;
        this.file = file;
        reload();
    }

    /** The UTC system clock, or in verify mode the system clock with the harness's offset. */
    public static Clock systemOrControlled() {
        String f = System.getProperty(OFFSET_FILE_PROPERTY);
        if (f == null || f.isEmpty()) {
            return Clock.systemUTC();
        }
        ControlledClock c = new ControlledClock(Clock.systemUTC(), Path.of(f));
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    return;
                }
                c.reload();
            }
        }, "clock-offset-poller");
        t.setDaemon(true);
        t.start();
        return c;
    }

    private void reload() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            offsetMs = text.isEmpty() ? 0 : Long.parseLong(text);
            lastProblem = null;
        } catch (NoSuchFileException e) {
            offsetMs = 0;
        } catch (IOException | NumberFormatException e) {
            String problem = e.toString();
            if (!problem.equals(lastProblem)) {
                lastProblem = problem;
                System.err.println("clock offset file " + file + " unreadable, keeping offset " + offsetMs + " ms: " + e);
            }
        }
    }

    @Override
    public long millis() {
        return base.millis() + offsetMs;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the controlled clock is UTC only");
    }
}
