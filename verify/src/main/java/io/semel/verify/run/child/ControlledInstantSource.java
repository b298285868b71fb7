package io.semel.verify.run.child;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The processor child's wall clock in a verify run: the system clock plus an offset the harness changes to jump
 * it forwards and back (the {@code clock-jump} fault), the same switch as the broker's
 * {@code io.semel.broker.internal.ControlledClock}: the system property {@value #OFFSET_FILE_PROPERTY} names a
 * file holding the offset in milliseconds (missing or empty = 0), re-read every {@value #POLL_MS} ms by a daemon
 * thread. Without the property it is {@link InstantSource#system()}. Thread-safe (one volatile offset).
 */
public final class ControlledInstantSource implements InstantSource {
    public static final String OFFSET_FILE_PROPERTY = "semel.verify.clockOffsetFile";
    static final long POLL_MS = 20;

    private final Path file;
    private volatile long offsetMs;

    private ControlledInstantSource(Path file) {
        this.file = file;
        reload();
    }

    public static InstantSource systemOrControlled() {
        String f = System.getProperty(OFFSET_FILE_PROPERTY);
        if (f == null || f.isEmpty()) {
            return InstantSource.system();
        }
        ControlledInstantSource c = new ControlledInstantSource(Path.of(f));
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

    /** Writes an offset for a child to pick up (the harness side); atomic, so a child never reads half a number. */
    public static void writeOffset(Path file, long offsetMs) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(offsetMs), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void reload() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            offsetMs = text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NoSuchFileException e) {
            offsetMs = 0;
        } catch (IOException | NumberFormatException e) {
            // Keep the last offset: the harness writes atomically, so this is a transient read problem.
            System.err.println("clock offset file " + file + " unreadable, keeping " + offsetMs + " ms: " + e);
        }
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMs;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }
}
