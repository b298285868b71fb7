package io.semel.log.internal;

import io.semel.log.RecoveryReport;
import io.semel.log.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition log directory and recovers it. Stateless; runs once per open, before the log
 * has a writer.
 *
 * <p>Recovery rule. Segments that end at or below the {@link RecoveryCheckpoint} (their successor's
 * base offset is at or below it) are trusted: only their index is checked. From the segment
 * containing the checkpoint onwards (always at least the last segment; the whole log when the
 * checkpoint is missing or corrupt) every batch is decoded; the first batch that fails to decode
 * or is not at the expected next offset is cut with everything after it, later segments included.
 * Then every scanned segment is forced (its bytes may sit only in the page cache after a process
 * crash), the directory is synced, and the checkpoint is moved to the recovered end.
 *
 * <p>Files it does not recognise are left alone; an index without its log is deleted.
 */
public final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    /** The recovered segments, oldest first, never empty, and what recovery did. */
    public record Loaded(List<Segment> segments, RecoveryReport report) { }

    private LogLoader() {
    }

    public static Loaded load(Storage storage, int indexIntervalBytes) throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        for (String name : storage.list()) {
            Segment.parseBaseOffset(name, Segment.LOG_SUFFIX).ifPresent(bases::add);
        }
        for (String name : storage.list()) {
            OptionalLong indexBase = Segment.parseBaseOffset(name, Segment.INDEX_SUFFIX);
            if (indexBase.isPresent() && !bases.contains(indexBase.getAsLong())) {
                LOG.info("deleting {}: its segment {} does not exist", name, Segment.logName(indexBase.getAsLong()));
                storage.delete(name);
            }
        }
        OptionalLong checkpoint = RecoveryCheckpoint.read(storage);
        if (bases.isEmpty()) {
            // Start where a lost log ended, if known, so offsets are never handed out twice.
            bases.add(checkpoint.orElse(0L));
        }
        List<Segment> segments = new ArrayList<>();
        try {
            return recover(storage, indexIntervalBytes, new ArrayList<>(bases), checkpoint, segments);
        } catch (IOException | RuntimeException e) {
            for (Segment segment : segments) {
                try {
                    segment.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Loaded recover(Storage storage, int indexIntervalBytes, List<Long> bases, OptionalLong checkpoint,
            List<Segment> segments) throws IOException {
        int indexesRebuilt = 0;
        int i = 0;
        for (; i < bases.size() - 1 && checkpoint.isPresent() && bases.get(i + 1) <= checkpoint.getAsLong(); i++) {
            Segment segment = Segment.open(storage, bases.get(i), indexIntervalBytes);
            segments.add(segment);
            indexesRebuilt += segment.trust(bases.get(i + 1)) ? 1 : 0;
        }
        long recoveredFrom = bases.get(i);
        long expected = recoveredFrom;
        int scanned = 0;
        long batches = 0;
        long cut = 0;
        for (; i < bases.size(); i++) {
            long base = bases.get(i);
            if (base != expected) {
                cut += deleteFrom(storage, bases, i, "segment " + Segment.logName(base) + " starts at offset " + base
                        + " but the log before it ends at " + expected);
                break;
            }
            Segment segment = Segment.open(storage, base, indexIntervalBytes);
            segments.add(segment);
            Segment.ScanResult result = segment.recover(expected);
            scanned++;
            batches += result.batches();
            indexesRebuilt += result.indexRewritten() ? 1 : 0;
            expected = segment.nextOffset();
            if (result.bytesTruncated() > 0) {
                cut += result.bytesTruncated();
                cut += deleteFrom(storage, bases, i + 1, "an earlier segment was truncated at offset " + expected);
                break;
            }
        }
        for (Segment segment : segments.subList(segments.size() - scanned, segments.size())) {
            segment.flush(true);
        }
        storage.syncDirectory();
        if (checkpoint.isPresent() && checkpoint.getAsLong() > expected) {
            LOG.warn("{} said offsets below {} were durable, but the log ends at {}: {} offsets lost",
                    RecoveryCheckpoint.FILE_NAME, checkpoint.getAsLong(), expected, checkpoint.getAsLong() - expected);
        }
        if (checkpoint.isEmpty() || checkpoint.getAsLong() != expected) {
            RecoveryCheckpoint.write(storage, expected);
        }
        RecoveryReport report = new RecoveryReport(scanned, batches, cut, indexesRebuilt, recoveredFrom);
        LOG.info("recovered log: {} segments, offsets {}..{}, {}", segments.size(), segments.get(0).baseOffset(),
                expected, report);
        return new Loaded(segments, report);
    }

    /** Deletes segments {@code bases[from..]}; returns their total log bytes. */
    private static long deleteFrom(Storage storage, List<Long> bases, int from, String why) throws IOException {
        long bytes = 0;
        for (int j = from; j < bases.size(); j++) {
            Segment segment = Segment.open(storage, bases.get(j), 1);
            bytes += segment.sizeBytes();
            LOG.warn("recovery deleted {} ({} bytes): {}", Segment.logName(bases.get(j)), segment.sizeBytes(), why);
            segment.delete(storage);
        }
        return bytes;
    }
}
