package io.semel.processor.state;

import io.semel.processor.CrashPoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the snapshot files of one state machine in one directory: writes them atomically, keeps
 * the newest {@link #KEEP} and loads the newest valid one. Snapshots are a cache of the log: losing
 * all of them only costs a full replay.
 *
 * <p>File {@code snapshot-<index, 20 digits>.snap}, big-endian:
 * <pre>
 * offset  field          type     meaning
 * ------  -------------  -------  ---------------------------------------------------------
 * 0       magic          4 bytes  "SMSN" (0x534D534E)
 * 4       version        u16      1
 * 6       reserved       u16      0
 * 8       index          i64      snapshot number, also in the file name
 * 16      count          i32      number of positions, 0..{@value #POSITIONS_MAX}
 * 20      positions      count x  (partition i32, next offset to apply i64), ascending partition
 * ..      stateLength    i32      0..{@value #STATE_BYTES_MAX}
 * ..      state          bytes    the {@link StateCodec}'s encoding
 * ..      crc            u32      CRC32C of every byte before it
 * </pre>
 * The file must end right after the CRC. Commit order: write {@code .tmp}, fsync it, rename over
 * the final name (atomic), fsync the directory; only then delete older snapshots. A crash before the
 * rename leaves a stray {@code .tmp} that loading ignores and the next write removes.
 *
 * <p>Does not protect against: a state codec that is not deterministic, a disk that acknowledges an
 * fsync it did not do (the CRC turns that into a fallback, not a wrong state), or two writers on
 * one directory (single writer: the runner's thread). Not thread-safe.
 */
public final class SnapshotStore {
    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);
    static final int MAGIC = 0x534D534E;
    static final short VERSION = 1;
    /** Snapshots kept: the newest plus one fallback in case the newest is found corrupt. */
    public static final int KEEP = 2;
    public static final int POSITIONS_MAX = 65_536;
    public static final int STATE_BYTES_MAX = 1 << 30;
    /** Crash point between writing the temp file and renaming it. */
    public static final String CRASH_AFTER_TEMP_WRITE_BEFORE_RENAME = CrashPoints.SNAPSHOT_AFTER_TEMP_WRITE_BEFORE_RENAME;
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path dir;
    private final CrashPoints.Hook crash;

    public SnapshotStore(Path dir) {
        this(dir, CrashPoints.SYSTEM);
    }

    /** A store calling {@code crash} at its crash point instead of {@link CrashPoints#SYSTEM}; a test seam. */
    public SnapshotStore(Path dir, CrashPoints.Hook crash) {
        this.dir = dir;
        this.crash = crash;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create snapshot directory " + dir, e);
        }
    }

    /** Writes {@code s} durably and then keeps only the newest {@link #KEEP} snapshots. */
    public void write(Snapshot s) throws IOException {
        byte[] bytes = encode(s);
        // Assert right before writing: what we write must read back as the same snapshot.
        assert decode(bytes).index() == s.index();
        deleteTemps();
        Path tmp = dir.resolve(name(s.index()) + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        crash.reached(CRASH_AFTER_TEMP_WRITE_BEFORE_RENAME);
        Files.move(tmp, dir.resolve(name(s.index())), StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory();
        List<Long> indexes = indexes();
        for (int i = 0; i < indexes.size() - KEEP; i++) {
            Files.deleteIfExists(dir.resolve(name(indexes.get(i))));
        }
    }

    /** The newest snapshot that is complete and passes its CRC; older ones when it does not; empty if none. */
    public Optional<Snapshot> loadNewest() throws IOException {
        List<Long> indexes = indexes();
        for (int i = indexes.size() - 1; i >= 0; i--) {
            Path file = dir.resolve(name(indexes.get(i)));
            try {
                Snapshot s = decode(Files.readAllBytes(file));
                if (s.index() != indexes.get(i)) {
                    throw new IllegalArgumentException("index " + s.index() + " does not match the file name");
                }
                return Optional.of(s);
            } catch (IllegalArgumentException e) {
                log.warn("snapshot {} is not valid ({}); trying an older one", file, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Indexes of the final (renamed) snapshot files, ascending. */
    List<Long> indexes() throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    out.add(Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length())));
                } catch (NumberFormatException e) {
                    log.warn("ignoring unexpected file {} in the snapshot directory", p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    private void deleteTemps() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path p : ds) {
                log.info("removing {} left by an interrupted snapshot", p);
                Files.delete(p);
            }
        }
    }

    private void fsyncDirectory() throws IOException {
        // Makes the rename durable; Linux allows fsync on a directory opened for reading.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String name(long index) {
        return PREFIX + String.format("%020d", index) + SUFFIX;
    }

    static byte[] encode(Snapshot s) {
        if (s.positions().size() > POSITIONS_MAX || s.state().length > STATE_BYTES_MAX) {
            throw new IllegalArgumentException("snapshot has " + s.positions().size() + " positions (max "
                    + POSITIONS_MAX + ") and " + s.state().length + " state bytes (max " + STATE_BYTES_MAX + ")");
        }
        ByteBuffer b = ByteBuffer.allocate(20 + 12 * s.positions().size() + 4 + s.state().length + 4);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(s.index()).putInt(s.positions().size());
        s.positions().forEach((p, o) -> b.putInt(p).putLong(o));
        b.putInt(s.state().length).put(s.state());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** @throws IllegalArgumentException the bytes are not one whole, valid snapshot */
    static Snapshot decode(byte[] bytes) {
        if (bytes.length < 28) {
            throw new IllegalArgumentException("only " + bytes.length + " bytes; a snapshot has at least 28");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int stored = b.getInt(bytes.length - 4);
        if (stored != (int) crc.getValue()) {
            throw new IllegalArgumentException("CRC32C mismatch: stored " + Integer.toHexString(stored) + ", computed "
                    + Long.toHexString(crc.getValue()) + " over " + (bytes.length - 4) + " bytes");
        }
        if (b.getInt() != MAGIC) {
            throw new IllegalArgumentException("bad magic " + Integer.toHexString(b.getInt(0)));
        }
        short version = b.getShort();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown version " + version + "; this Semel reads version " + VERSION);
        }
        b.getShort();
        long index = b.getLong();
        int count = b.getInt();
        if (count < 0 || count > POSITIONS_MAX || 20L + 12L * count + 8 > bytes.length) {
            throw new IllegalArgumentException("position count " + count + " does not fit in " + bytes.length + " bytes");
        }
        Map<Integer, Long> positions = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int partition = b.getInt();
            long offset = b.getLong();
            if (partition < 0 || offset < 0 || positions.put(partition, offset) != null) {
                throw new IllegalArgumentException("bad position " + partition + " -> " + offset);
            }
        }
        int length = b.getInt();
        if (length < 0 || length != bytes.length - b.position() - 4) {
            throw new IllegalArgumentException("state length " + length + " but " + (bytes.length - b.position() - 4)
                    + " bytes remain before the CRC");
        }
        byte[] state = new byte[length];
        b.get(state);
        return new Snapshot(index, positions, state);
    }
}
