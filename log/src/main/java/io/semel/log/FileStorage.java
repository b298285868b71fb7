package io.semel.log;

import io.semel.log.internal.ForcedLengths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@link Storage} over one real directory; each {@link StorageFile} is a {@link FileChannel}.
 * Owns nothing but the directory path. Thread-safe: it holds no mutable state, and the operating
 * system serialises directory operations.
 *
 * <p><b>Why {@code force(false)} (fdatasync) is enough for file content.</b> We never read
 * modification times, so the only metadata that matters is the file size. fdatasync(2) on Linux
 * flushes "metadata needed to allow a subsequent data retrieval", and its man page names a change
 * of {@code st_size} as such metadata; so the size grown by an append or cut by a truncate is
 * durable once {@link StorageFile#force()} returns. (On macOS {@code force} is plain fsync, which
 * does not flush the drive cache either way; Semel's durability claims are for Linux.) A file's
 * <em>name</em> is directory metadata and is made durable separately by {@link #syncDirectory()}.
 *
 * <p>In verify mode ({@link ForcedLengths#DIR_PROPERTY} set) every force, truncate, rename and delete also
 * updates the file's forced-length record, which the verify harness uses to simulate a power cut.
 *
 * <p>ENOSPC from write, force or truncate is reported as {@link StorageFullException}. The JDK
 * gives no errno, so it is recognised by the operating system's message, "No space left on
 * device" (strerror(ENOSPC) on Linux and macOS).
 */
public final class FileStorage implements Storage {
    private static final String ENOSPC_MESSAGE = "No space left on device";

    private final Path dir;

    /** Uses {@code dir}, creating it and its parents if absent. */
    public FileStorage(Path dir) throws IOException {
        this.dir = Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public StorageFile open(String name) throws IOException {
        FileChannel channel = FileChannel.open(resolve(name),
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        return new ChannelFile(channel, name, resolve(name));
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(resolve(name));
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(resolve(name));
        ForcedLengths.deleted(resolve(name));
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ForcedLengths.renamed(resolve(from), resolve(to));
    }

    @Override
    public void syncDirectory() throws IOException {
        // Opening a directory READ-only and forcing it is the JDK's way to fsync(2) a directory.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private Path resolve(String name) {
        return resolveIn(dir, name);
    }

    /** Reads until {@code dst} is full or the file ends; -1 when nothing was left to read. */
    static int readFully(FileChannel channel, long position, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + total);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    /** One flat directory: a name that could escape it is a programming error. */
    static Path resolveIn(Path dir, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid storage file name '" + name + "': must be a plain file name");
        }
        return dir.resolve(name);
    }

    static IOException mapNoSpace(IOException e, String what) {
        String message = e.getMessage();
        if (message != null && message.contains(ENOSPC_MESSAGE)) {
            return new StorageFullException(what + ": " + message, e);
        }
        return e;
    }

    /** One open file; not thread-safe for writes (one writer per file, as {@link StorageFile} says). */
    private static final class ChannelFile implements StorageFile {
        private final FileChannel channel;
        private final String name;
        private final Path path;

        ChannelFile(FileChannel channel, String name, Path path) {
            this.channel = channel;
            this.name = name;
            this.path = path;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            return readFully(channel, position, dst);
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            int length = src.remaining();
            try {
                long at = position;
                while (src.hasRemaining()) {
                    at += channel.write(src, at);
                }
            } catch (IOException e) {
                throw mapNoSpace(e, "writing " + length + " bytes at " + position + " of " + name);
            }
        }

        @Override
        public void force() throws IOException {
            try {
                // The size before the force: a write running beside the force (the appender, while the
                // flusher forces) may end up above it, and must not be recorded as durable.
                long coveredBytes = ForcedLengths.enabled() ? channel.size() : 0;
                channel.force(false);
                if (ForcedLengths.enabled()) {
                    // After the force and before the caller can confirm: see ForcedLengths for the order.
                    ForcedLengths.forced(path, coveredBytes);
                }
            } catch (IOException e) {
                throw mapNoSpace(e, "forcing " + name);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            try {
                channel.truncate(size);
                ForcedLengths.truncated(path, size);
            } catch (IOException e) {
                throw mapNoSpace(e, "truncating " + name + " to " + size + " bytes");
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
