package io.semel.log.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;

/**
 * Verify mode's power-loss hook: when the system property {@value #DIR_PROPERTY} names a directory, every
 * {@code FileStorage} file records there, per file, the length its content was last forced to. After a SIGKILL
 * of the broker, the verify harness cuts each file back to a point between that length and what was written,
 * as a power failure would (the page cache survives a SIGKILL, it does not survive a power cut).
 *
 * <h2>Record format</h2>
 * One file per data file, named by the SHA-1 of the data file's absolute path (hex, 40 characters), holding two
 * UTF-8 lines: the forced length in bytes (decimal) and the absolute path. Replaced atomically (write a
 * temporary file, rename), so a SIGKILL leaves the old or the new record, never a torn one. Records are not
 * fsync'd: they must survive a process kill, which the page cache gives; the harness never simulates a power
 * cut of the records themselves.
 *
 * <p>Order: {@link #forced} is called after {@code force()} returned and before the caller may confirm
 * anything, so a confirmed byte is always below the recorded length. A kill between the two leaves a smaller
 * record, which only means a power cut that came just before the fsync finished.
 *
 * <p>What it does not model: directory entries (a created or renamed file is kept even if the directory was
 * not synced), and bit flips. Disabled (every method a no-op) when the property is unset. Thread-safe for
 * distinct files; one file has one writer ({@code StorageFile}'s rule).
 */
public final class ForcedLengths {
    public static final String DIR_PROPERTY = "semel.verify.forcedLengthsDir";
    private static final Path DIR = directory();

    private ForcedLengths() {
    }

    public static boolean enabled() {
        return DIR != null;
    }

    /** Content of {@code file} up to {@code length} bytes is durable. */
    public static void forced(Path file, long length) {
        if (DIR != null) {
            write(file, length);
        }
    }

    /** The file was cut to {@code size}: nothing beyond it can come back. */
    public static void truncated(Path file, long size) {
        if (DIR != null) {
            OptionalLong old = read(DIR.resolve(key(file)));
            if (old.isPresent() && old.getAsLong() > size) {
                write(file, size);
            }
        }
    }

    /** The record follows the file (the inode keeps its forced content across a rename). */
    public static void renamed(Path from, Path to) {
        if (DIR != null) {
            OptionalLong old = read(DIR.resolve(key(from)));
            delete(from);
            if (old.isPresent()) {
                write(to, old.getAsLong());
            } else {
                delete(to);
            }
        }
    }

    public static void deleted(Path file) {
        if (DIR != null) {
            delete(file);
        }
    }

    /** Reads a record's forced length (for the harness and tests); empty if the file has no record. */
    public static OptionalLong read(Path record) {
        try {
            List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read forced-length record " + record, e);
        }
    }

    /** The record file name for a data file. */
    public static String key(Path file) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest(file.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }

    private static void write(Path file, long length) {
        String key = key(file);
        Path tmp = DIR.resolve(key + ".tmp-" + Thread.currentThread().getId());
        try {
            Files.writeString(tmp, length + "\n" + file.toAbsolutePath().normalize() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, DIR.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Without its record the power cut could remove confirmed data: fail the force, loudly.
            throw new UncheckedIOException("cannot record the forced length of " + file + " in " + DIR, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(DIR.resolve(key(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the forced-length record of " + file, e);
        }
    }

    private static Path directory() {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isEmpty()) {
            return null;
        }
        try {
            return Files.createDirectories(Path.of(dir)).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + DIR_PROPERTY + " directory " + dir, e);
        }
    }
}
