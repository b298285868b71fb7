package io.semel.broker.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One small line-oriented security file (users, ACLs) under {@code <dataDir>/security/}. Owns its
 * format and the way it is replaced. Stateless; thread-safe.
 *
 * <pre>
 * line                          meaning
 * ----------------------------  -------------------------------------------------------------
 * # semel &lt;kind&gt; file ...       header comment (format 1)
 * &lt;entry&gt; ...                    one entry per line, UTF-8, fields separated by one space
 * crc32c &lt;8 hex&gt; &lt;entries&gt;       CRC32C of every byte before this line, and the entry count
 * </pre>
 *
 * <p>Replaced whole, never edited in place: write {@code <name>.tmp}, {@code force()}, rename over
 * the file (atomic), {@code force()} the directory. A crash leaves the old or the new file, never a
 * mix. The checksum catches a hand edit or a bit flip; it does not protect against someone who
 * rewrites the file and its checksum (file permissions do: the files are created owner-only).
 * Writers take {@code <dir>/.security.lock} so two {@code semel user} runs do not lose an update.
 */
final class SecurityFile {
    static final String DIR = "security";
    private static final String LOCK = ".security.lock";

    private SecurityFile() {
    }

    static Path dir(Path dataDir) {
        return dataDir.resolve(DIR);
    }

    /** The entry lines; an absent file has none. */
    static List<String> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        int trailerAt = text.lastIndexOf("\ncrc32c ");
        if (trailerAt < 0) {
            throw corrupt(file, "it has no checksum line");
        }
        String body = text.substring(0, trailerAt + 1);
        String[] trailer = text.substring(trailerAt + 1).trim().split(" ");
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        if (trailer.length != 3 || !trailer[1].equals(String.format("%08x", crc.getValue()))) {
            throw corrupt(file, "its checksum does not match its content");
        }
        List<String> entries = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                entries.add(line);
            }
        }
        if (!trailer[2].equals(String.valueOf(entries.size()))) {
            throw corrupt(file, "it has " + entries.size() + " entries but its trailer says " + trailer[2]);
        }
        return entries;
    }

    /** Replaces {@code file} with {@code entries}, durably (see class doc). */
    static void write(Path file, String kind, List<String> entries) throws IOException {
        StringBuilder body = new StringBuilder("# semel ").append(kind)
                .append(" file, format 1; change it with 'semel ").append(kind).append("', not by hand\n");
        for (String e : entries) {
            if (e.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("entry contains a line break: " + e);
            }
            body.append(e).append('\n');
        }
        CRC32C crc = new CRC32C();
        byte[] bodyBytes = body.toString().getBytes(StandardCharsets.UTF_8);
        crc.update(bodyBytes);
        byte[] trailer = String.format("crc32c %08x %d\n", crc.getValue(), entries.size())
                .getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createOwnerOnly(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer all = ByteBuffer.allocate(bodyBytes.length + trailer.length).put(bodyBytes).put(trailer).flip();
            while (all.hasRemaining()) {
                ch.write(all);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + file + " atomically on this file system: " + e.getMessage(), e);
        }
        try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Runs {@code action} holding the writers' lock of {@code dir} (created if missing). */
    static <T> T locked(Path dir, IoAction<T> action) throws IOException {
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock(); // released when the channel closes
            assert lock.isValid();
            return action.run();
        }
    }

    /** A step that may fail with an I/O error. */
    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException;
    }

    private static void createOwnerOnly(Path file) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
    }

    private static IOException corrupt(Path file, String why) {
        return new IOException(file + " is corrupt: " + why + "; restore it from a backup, or delete it and "
                + "recreate its entries with 'semel user add' / 'semel acl add'");
    }
}
