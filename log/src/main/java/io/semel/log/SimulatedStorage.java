package io.semel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * An in-memory {@link Storage} that models exactly what a crash may lose. A <b>test seam</b>: it
 * lives in main code so other modules' tests can use it; production never does.
 *
 * <p>Model. Each file is an inode with {@code durable} bytes (its content at the last
 * {@link StorageFile#force()}), {@code current} bytes, and the writes made since that force. The
 * directory has a {@code current} name-to-inode map and a {@code durable} one, copied from the
 * current one by {@link #syncDirectory()}. {@link #crash()} rolls every inode back to its durable
 * bytes and the directory back to its durable map, and invalidates every open handle. Faults:
 * torn last write ({@link #crash(long)}), bit flips ({@link #flipBit}), a failing force
 * ({@link #failNextForce}) and a full disk ({@link #setCapacityBytes}).
 *
 * <p>Deterministic: the only randomness is the seed passed to {@link #crash(long)}.
 *
 * <p>Thread-safe: every method, including those of its files, runs under one lock (this
 * object's monitor); nothing blocks while holding it.
 */
public final class SimulatedStorage implements Storage {

    /** What {@link #crash(long)} kept of the torn write. */
    public record TornWrite(String name, long position, int writeBytes, int keptBytes) { }

    private final Object lock = new Object();
    private final Map<String, Inode> current = new TreeMap<>();
    private Map<String, Inode> durable = new TreeMap<>();
    /** Bumped by every crash; a handle from an older epoch is dead. */
    private long epoch;
    private long capacityBytes = Long.MAX_VALUE;
    private IOException nextForceFailure;
    private long forces;
    private long directorySyncs;
    private long bytesWritten;

    @Override
    public StorageFile open(String name) throws IOException {
        checkName(name);
        synchronized (lock) {
            Inode inode = current.computeIfAbsent(name, n -> new Inode());
            return new Handle(inode, name, epoch);
        }
    }

    @Override
    public boolean exists(String name) {
        synchronized (lock) {
            return current.containsKey(name);
        }
    }

    @Override
    public List<String> list() {
        synchronized (lock) {
            return new ArrayList<>(current.keySet()); // TreeMap: already sorted
        }
    }

    @Override
    public void delete(String name) {
        synchronized (lock) {
            current.remove(name);
        }
    }

    @Override
    public void rename(String from, String to) throws IOException {
        checkName(to);
        synchronized (lock) {
            Inode inode = current.remove(from);
            if (inode == null) {
                throw new java.nio.file.NoSuchFileException(from, to, "rename source does not exist");
            }
            current.put(to, inode);
        }
    }

    @Override
    public void syncDirectory() {
        synchronized (lock) {
            durable = new TreeMap<>(current);
            directorySyncs++;
        }
    }

    /**
     * Simulates power loss: every unforced byte and every unsynced create, rename and delete is
     * lost; every open {@link StorageFile} throws {@link IOException} from now on.
     */
    public void crash() {
        synchronized (lock) {
            for (Inode inode : allInodes()) {
                inode.revert();
            }
            restoreDirectory();
        }
    }

    /**
     * Like {@link #crash()}, but one file (chosen by {@code tornWriteSeed} among the surviving files
     * with unforced writes) keeps a prefix of its last unforced write, of any length from 0 to all
     * of it: a torn write.
     *
     * @return what was kept, or empty when no surviving file had an unforced write
     */
    public Optional<TornWrite> crash(long tornWriteSeed) {
        synchronized (lock) {
            Random random = new Random(tornWriteSeed);
            List<String> candidates = new ArrayList<>();
            for (Map.Entry<String, Inode> e : durable.entrySet()) {
                if (!e.getValue().unforced.isEmpty()) {
                    candidates.add(e.getKey());
                }
            }
            Optional<TornWrite> torn = Optional.empty();
            String victim = candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
            Write last = victim == null ? null : durable.get(victim).lastUnforced();
            for (Inode inode : allInodes()) {
                inode.revert();
            }
            if (victim != null) {
                int kept = random.nextInt(last.data.length + 1);
                durable.get(victim).applyDurably(last.position, Arrays.copyOf(last.data, kept));
                torn = Optional.of(new TornWrite(victim, last.position, last.data.length, kept));
            }
            restoreDirectory();
            return torn;
        }
    }

    /** Flips one bit of a file in both its durable and current content: silent media corruption. */
    public void flipBit(String name, long byteOffset, int bit) {
        if (bit < 0 || bit > 7) {
            throw new IllegalArgumentException("bit " + bit + " not in 0..7");
        }
        synchronized (lock) {
            Inode inode = current.get(name);
            if (inode == null || byteOffset < 0 || byteOffset >= Math.max(inode.durable.length, inode.size)) {
                throw new IllegalArgumentException("cannot flip byte " + byteOffset + " of '" + name + "': "
                        + (inode == null ? "no such file" : "size " + inode.size));
            }
            if (byteOffset < inode.durable.length) {
                inode.durable[(int) byteOffset] ^= (byte) (1 << bit);
            }
            if (byteOffset < inode.size) {
                inode.content[(int) byteOffset] ^= (byte) (1 << bit);
            }
        }
    }

    /** The next {@link StorageFile#force()} on any file throws {@code failure} and makes nothing durable. */
    public void failNextForce(IOException failure) {
        synchronized (lock) {
            nextForceFailure = Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * Limits the total current size of all files; a write that would exceed it throws
     * {@link StorageFullException} and writes nothing.
     */
    public void setCapacityBytes(long capacityBytes) {
        synchronized (lock) {
            this.capacityBytes = capacityBytes;
        }
    }

    public long forceCount() {
        synchronized (lock) {
            return forces;
        }
    }

    public long directorySyncCount() {
        synchronized (lock) {
            return directorySyncs;
        }
    }

    public long bytesWritten() {
        synchronized (lock) {
            return bytesWritten;
        }
    }

    /** Total current size of all files in the directory. */
    public long usedBytes() {
        synchronized (lock) {
            long used = 0;
            for (Inode inode : current.values()) {
                used += inode.size;
            }
            return used;
        }
    }

    private void restoreDirectory() {
        current.clear();
        current.putAll(durable);
        epoch++;
    }

    private List<Inode> allInodes() {
        List<Inode> inodes = new ArrayList<>(current.values());
        inodes.addAll(durable.values());
        return inodes;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid storage file name '" + name + "': must be a plain file name");
        }
    }

    private record Write(long position, byte[] data) { }

    /** File content; guarded by the storage lock. */
    private static final class Inode {
        byte[] durable = new byte[0];
        byte[] content = new byte[0];
        int size;
        final List<Write> unforced = new ArrayList<>();

        void write(long position, byte[] data) {
            ensureCapacity(position + data.length);
            System.arraycopy(data, 0, content, (int) position, data.length);
            size = (int) Math.max(size, position + data.length);
            unforced.add(new Write(position, data));
        }

        void truncate(long newSize) {
            if (newSize < size) {
                Arrays.fill(content, (int) newSize, size, (byte) 0);
                size = (int) newSize;
            }
        }

        void force() {
            durable = Arrays.copyOf(content, size);
            unforced.clear();
        }

        Write lastUnforced() {
            return unforced.get(unforced.size() - 1);
        }

        void revert() {
            content = durable.clone();
            size = durable.length;
            unforced.clear();
        }

        /** After a crash: part of a write reached the disk, untracked by any force. */
        void applyDurably(long position, byte[] data) {
            if (data.length == 0) {
                revert(); // nothing of the write landed, not even the size change
                return;
            }
            int end = (int) Math.max(durable.length, position + data.length);
            byte[] merged = Arrays.copyOf(durable, end);
            System.arraycopy(data, 0, merged, (int) position, data.length);
            durable = merged;
            revert();
        }

        private void ensureCapacity(long needed) {
            if (needed > content.length) {
                content = Arrays.copyOf(content, (int) Math.max(needed, content.length * 2L));
            }
        }
    }

    /** An open file; dead after close or a crash. */
    private final class Handle implements StorageFile {
        private final Inode inode;
        private final String name;
        private final long openedEpoch;
        private boolean closed;

        Handle(Inode inode, String name, long openedEpoch) {
            this.inode = inode;
            this.name = name;
            this.openedEpoch = openedEpoch;
        }

        @Override
        public long size() throws IOException {
            synchronized (lock) {
                checkOpen();
                return inode.size;
            }
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            synchronized (lock) {
                checkOpen();
                if (position >= inode.size) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), inode.size - position);
                dst.put(inode.content, (int) position, n);
                return n;
            }
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            synchronized (lock) {
                checkOpen();
                int length = src.remaining();
                long growth = Math.max(0, position + length - inode.size);
                long used = usedBytes();
                if (growth > 0 && used + growth > capacityBytes) {
                    throw new StorageFullException("No space left on device: writing " + length + " bytes at "
                            + position + " of '" + name + "' needs " + growth + " more bytes; " + used
                            + " of " + capacityBytes + " used");
                }
                byte[] data = new byte[length];
                src.get(data);
                inode.write(position, data);
                bytesWritten += length;
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (lock) {
                checkOpen();
                if (nextForceFailure != null) {
                    IOException failure = nextForceFailure;
                    nextForceFailure = null;
                    throw failure;
                }
                inode.force();
                forces++;
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (lock) {
                checkOpen();
                inode.truncate(size);
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                closed = true;
            }
        }

        private void checkOpen() throws IOException {
            if (closed) {
                throw new IOException("'" + name + "' is closed");
            }
            if (openedEpoch != epoch) {
                throw new IOException("'" + name + "' was opened before a simulated crash (epoch "
                        + openedEpoch + ", now " + epoch + ")");
            }
        }
    }
}
