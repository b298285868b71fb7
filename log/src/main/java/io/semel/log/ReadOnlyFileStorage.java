package io.semel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A {@link Storage} over a directory that never changes it: files are opened for reading only, a
 * missing file or directory is an error instead of being created, and every write, force,
 * truncation, deletion and rename fails with an {@link IOException}. For inspection tools that
 * may run against a live broker's data directory.
 *
 * <p>Thread-safe; each opened file is as thread-safe as its {@link FileChannel}.
 */
public final class ReadOnlyFileStorage implements Storage {
    private final Path dir;

    /** @throws NoSuchFileException if {@code dir} is not an existing directory */
    public ReadOnlyFileStorage(Path dir) throws IOException {
        this.dir = Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not an existing directory");
        }
    }

    @Override
    public StorageFile open(String name) throws IOException {
        return new ReadOnlyFile(FileChannel.open(resolve(name), StandardOpenOption.READ), name);
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(resolve(name));
    }

    @Override
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void delete(String name) throws IOException {
        throw refused("delete " + name);
    }

    @Override
    public void rename(String from, String to) throws IOException {
        throw refused("rename " + from + " to " + to);
    }

    @Override
    public void syncDirectory() throws IOException {
        throw refused("sync");
    }

    private Path resolve(String name) {
        return FileStorage.resolveIn(dir, name);
    }

    private IOException refused(String what) {
        return new IOException("cannot " + what + " in " + dir + ": storage opened read-only");
    }

    private final class ReadOnlyFile implements StorageFile {
        private final FileChannel channel;
        private final String name;

        ReadOnlyFile(FileChannel channel, String name) {
            this.channel = channel;
            this.name = name;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            return FileStorage.readFully(channel, position, dst);
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            throw refused("write " + name);
        }

        @Override
        public void force() throws IOException {
            throw refused("force " + name);
        }

        @Override
        public void truncate(long size) throws IOException {
            throw refused("truncate " + name);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
