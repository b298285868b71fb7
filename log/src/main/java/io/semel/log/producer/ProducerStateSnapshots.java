package io.semel.log.producer;

import io.semel.log.Storage;
import io.semel.log.producer.internal.AtomicFiles;
import io.semel.log.producer.internal.SnapshotCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Producer-state snapshots of one partition, stored as {@code <20-digit offset>.snapshot} files
 * next to its segments. Snapshots are caches: a missing or corrupt one only means a longer replay
 * of the log. Every other file in the storage is ignored.
 *
 * <p>Not thread-safe: used by the partition's single writer (and by recovery before it starts).
 */
public final class ProducerStateSnapshots {
    /** Snapshots kept; the older one is the fallback when the newest turns out corrupt. */
    public static final int SNAPSHOTS_RETAINED_MAX = 2;
    public static final String SUFFIX = ".snapshot";

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateSnapshots.class);
    private static final Pattern NAME = Pattern.compile("\\d{20}" + Pattern.quote(SUFFIX));

    private final Storage storage;

    public ProducerStateSnapshots(Storage storage) {
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** The file name of the snapshot at {@code offset}, e.g. {@code 00000000000000001234.snapshot}. */
    public static String fileName(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("snapshot offset " + offset + " < 0");
        }
        return String.format("%020d%s", offset, SUFFIX);
    }

    /**
     * Writes {@code table} as the snapshot at {@code snapshotOffset} (durably: temp file, force,
     * rename, directory sync), then deletes all but the newest {@value #SNAPSHOTS_RETAINED_MAX}.
     *
     * @param snapshotOffset the log offset the table reflects: every batch below it is included
     */
    public void write(ProducerStateTable table, long snapshotOffset) throws IOException {
        byte[] bytes = table.encodeSnapshot(snapshotOffset);
        AtomicFiles.write(storage, fileName(snapshotOffset), bytes);
        List<Long> offsets = offsets();
        if (offsets.size() > SNAPSHOTS_RETAINED_MAX) {
            for (long old : offsets.subList(SNAPSHOTS_RETAINED_MAX, offsets.size())) {
                storage.delete(fileName(old));
            }
            storage.syncDirectory();
        }
    }

    /**
     * The newest snapshot that decodes, falling back to older ones; corrupt ones are deleted with a
     * WARN line. Empty when none is usable: the caller replays the whole log.
     *
     * @throws IOException only when the storage fails; corruption is never an exception here
     */
    public Optional<ProducerStateTable.Snapshot> load() throws IOException {
        boolean deleted = false;
        Optional<ProducerStateTable.Snapshot> found = Optional.empty();
        for (long offset : offsets()) {
            String name = fileName(offset);
            try {
                found = Optional.of(decode(name, offset));
                break;
            } catch (CorruptSnapshotException e) {
                LOG.warn("deleting producer-state snapshot {}: {}; falling back to an older snapshot or a longer "
                        + "log replay", name, e.getMessage());
                storage.delete(name);
                deleted = true;
            }
        }
        if (deleted) {
            storage.syncDirectory();
        }
        return found;
    }

    private ProducerStateTable.Snapshot decode(String name, long offset) throws IOException, CorruptSnapshotException {
        byte[] bytes = AtomicFiles.read(storage, name, SnapshotCodec.SNAPSHOT_BYTES_MAX);
        if (bytes.length > SnapshotCodec.SNAPSHOT_BYTES_MAX) {
            throw new CorruptSnapshotException("larger than the " + SnapshotCodec.SNAPSHOT_BYTES_MAX + "-byte maximum");
        }
        ProducerStateTable.Snapshot snapshot = ProducerStateTable.decodeSnapshot(bytes);
        // A renamed or copied file would otherwise make recovery replay from the wrong offset.
        if (snapshot.offset() != offset) {
            throw new CorruptSnapshotException("file name says offset " + offset + ", content says "
                    + snapshot.offset());
        }
        return snapshot;
    }

    /**
     * Deletes every snapshot whose offset is above {@code offset}: after recovery truncated the log
     * to end at {@code offset}, they describe batches that no longer exist. A snapshot exactly at
     * the log end stays valid.
     */
    public void deleteSnapshotsAbove(long offset) throws IOException {
        boolean deleted = false;
        for (long o : offsets()) {
            if (o > offset) {
                storage.delete(fileName(o));
                deleted = true;
            }
        }
        if (deleted) {
            storage.syncDirectory();
        }
    }

    /** Offsets of the snapshot files present, newest first. */
    public List<Long> offsets() throws IOException {
        List<Long> offsets = new ArrayList<>();
        for (String name : storage.list()) {
            // 20 digits can exceed Long.MAX_VALUE; such a name is not one of ours.
            if (NAME.matcher(name).matches() && name.compareTo(fileName(Long.MAX_VALUE)) <= 0) {
                offsets.add(Long.parseLong(name.substring(0, 20)));
            }
        }
        offsets.sort(Comparator.reverseOrder());
        return offsets;
    }
}
