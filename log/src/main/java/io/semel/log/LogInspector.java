package io.semel.log;

import io.semel.log.internal.Segment;
import io.semel.log.producer.CorruptSnapshotException;
import io.semel.log.producer.ProducerStateSnapshots;
import io.semel.log.producer.ProducerStateTable;
import io.semel.protocol.CorruptBatchException;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Read-only inspection of one partition directory: segments batch by batch and the newest producer
 * snapshot. Opens files for reading only and never repairs, truncates or deletes, so it is safe on
 * the directory of a running broker (a tail being written shows up as an incomplete last batch).
 * Thread-safe (stateless).
 */
public final class LogInspector {
    /** Largest batch the scan accepts, whatever the broker's configuration was. */
    private static final int SCAN_BATCH_BYTES_MAX = RecordBatch.BATCH_BYTES_LIMIT;

    /** One segment as found on disk. */
    public record SegmentReport(String file, long baseOffset, long sizeBytes, long batches, long records,
            long firstOffset, long lastOffset, long validBytes, String problem) {
        public boolean healthy() {
            return problem == null;
        }
    }

    /** A partition: its segments and the producer table of its newest readable snapshot. */
    public record PartitionReport(Path directory, List<SegmentReport> segments,
            Optional<ProducerStateTable.Snapshot> producers, String snapshotProblem) {
    }

    private LogInspector() {
    }

    public static PartitionReport inspect(Path directory) throws IOException {
        List<SegmentReport> segments = new ArrayList<>();
        List<Path> snapshots = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                OptionalLong base = Segment.parseBaseOffset(name, Segment.LOG_SUFFIX);
                if (base.isPresent()) {
                    segments.add(scan(file, base.getAsLong()));
                } else if (name.endsWith(ProducerStateSnapshots.SUFFIX)) {
                    snapshots.add(file);
                }
            }
        }
        Optional<ProducerStateTable.Snapshot> producers = Optional.empty();
        String snapshotProblem = null;
        for (int i = snapshots.size() - 1; i >= 0 && producers.isEmpty(); i--) {
            try {
                producers = Optional.of(ProducerStateTable.decodeSnapshot(Files.readAllBytes(snapshots.get(i))));
            } catch (CorruptSnapshotException e) {
                snapshotProblem = snapshots.get(i).getFileName() + ": " + e.getMessage();
            }
        }
        return new PartitionReport(directory, segments, producers, snapshotProblem);
    }

    /**
     * Every valid batch of the partition directory, in offset order, up to the first damaged or
     * incomplete one (read-only; for tools that need the records, such as group-state inspection).
     */
    public static List<RecordBatch> batches(Path directory) throws IOException {
        List<RecordBatch> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                OptionalLong base = Segment.parseBaseOffset(file.getFileName().toString(), Segment.LOG_SUFFIX);
                if (base.isPresent() && !scan(file, base.getAsLong(), out).healthy()) {
                    break;
                }
            }
        }
        return out;
    }

    private static SegmentReport scan(Path file, long baseOffset) throws IOException {
        return scan(file, baseOffset, null);
    }

    private static SegmentReport scan(Path file, long baseOffset, List<RecordBatch> collect) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            long batches = 0;
            long records = 0;
            long first = -1;
            long last = -1;
            String problem = null;
            ByteBuffer lengthField = ByteBuffer.allocate(RecordBatch.LENGTH_FIELD_BYTES);
            while (position < size) {
                lengthField.clear();
                channel.read(lengthField, position);
                lengthField.flip();
                if (lengthField.remaining() < RecordBatch.LENGTH_FIELD_BYTES) {
                    problem = "incomplete length field at position " + position;
                    break;
                }
                long total = (long) lengthField.getInt(0) + RecordBatch.LENGTH_FIELD_BYTES;
                if (total < RecordBatch.HEADER_BYTES || total > SCAN_BATCH_BYTES_MAX || position + total > size) {
                    problem = "bad or incomplete batch of " + total + " bytes at position " + position;
                    break;
                }
                ByteBuffer buf = ByteBuffer.allocate((int) total);
                channel.read(buf, position);
                buf.flip();
                RecordBatch batch;
                try {
                    batch = RecordBatch.decode(buf, SCAN_BATCH_BYTES_MAX);
                } catch (CorruptBatchException e) {
                    problem = "position " + position + ": " + e.getMessage();
                    break;
                }
                if (first < 0) {
                    first = batch.baseOffset();
                } else if (batch.baseOffset() != last + 1) {
                    problem = "position " + position + ": base offset " + batch.baseOffset() + ", expected " + (last + 1);
                    break;
                }
                last = batch.lastOffset();
                if (collect != null) {
                    collect.add(batch);
                }
                batches++;
                records += batch.recordCount();
                position += total;
            }
            return new SegmentReport(file.getFileName().toString(), baseOffset, size, batches, records, first, last,
                    position, problem);
        }
    }
}
