package io.semel.log;

import static io.semel.log.PartitionLogContractTest.SMALL;
import static io.semel.log.PartitionLogContractTest.appendMany;
import static io.semel.log.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.log.internal.RecoveryCheckpoint;
import io.semel.log.internal.Segment;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Crash recovery, on {@link SimulatedStorage}. */
class PartitionLogRecoveryTest {
    private final SimulatedStorage storage = new SimulatedStorage();
    private final Clock clock = new TestBatches.ManualClock(1_000_000L);

    private PartitionLog open() throws IOException {
        return PartitionLog.open(storage, SMALL, clock);
    }

    @Test
    void flushedBatchesSurviveACrashAndUnflushedOnesAreLost() throws IOException {
        PartitionLog log = open();
        List<RecordBatch> flushed = appendMany(log, 25);
        log.flush();
        appendMany(log, 10); // includes rolls to new, unsynced segments
        storage.crash();

        PartitionLog recovered = open();
        assertThat(recovered.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(flushed);
        assertThat(recovered.nextOffset()).isEqualTo(flushed.get(24).nextOffset());
        assertThat(recovered.flushedOffset()).isEqualTo(recovered.nextOffset());
        recovered.close();
    }

    @Test
    void tornTailIsTruncatedAndTheBytesCutAreReported() throws IOException {
        for (long seed = 0; seed < 50; seed++) {
            SimulatedStorage s = new SimulatedStorage();
            // Large segments: the lost batch must land in a segment whose name is durable.
            LogConfig config = SMALL.toBuilder().segmentBytes(10_000).build();
            PartitionLog log = PartitionLog.open(s, config, clock);
            List<RecordBatch> flushed = appendMany(log, 3);
            log.flush();
            RecordBatch lost = log.append(batch(1, 100)).batch();
            Optional<SimulatedStorage.TornWrite> torn = s.crash(seed);
            assertThat(torn).isPresent();
            assertThat(torn.get().writeBytes()).isEqualTo(lost.sizeInBytes());

            PartitionLog recovered = PartitionLog.open(s, config, clock);
            assertThat(recovered.lastRecovery().bytesTruncated()).as("seed %d", seed)
                    .isEqualTo(torn.get().keptBytes() == lost.sizeInBytes() ? 0 : torn.get().keptBytes());
            List<RecordBatch> expected = torn.get().keptBytes() == lost.sizeInBytes()
                    ? List.of(flushed.get(0), flushed.get(1), flushed.get(2), lost) : flushed;
            assertThat(recovered.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(expected);
            recovered.close();
        }
    }

    @Test
    void bitFlipInTheMiddleTruncatesFromThatBatchAndRemovesLaterSegments() throws IOException {
        PartitionLog log = open();
        List<RecordBatch> written = appendMany(log, 40);
        List<SegmentInfo> segments = log.segments();
        log.close();
        storage.delete(RecoveryCheckpoint.FILE_NAME); // no checkpoint: every segment is scanned

        SegmentInfo victim = segments.get(2);
        List<RecordBatch> inVictim = written.stream()
                .filter(b -> b.baseOffset() >= victim.baseOffset() && b.baseOffset() < victim.nextOffset()).toList();
        assertThat(inVictim).hasSizeGreaterThan(1);
        RecordBatch corrupted = inVictim.get(1);
        long position = inVictim.get(0).sizeInBytes();
        storage.flipBit(Segment.logName(victim.baseOffset()), position + 60, 3);

        PartitionLog recovered = open();
        long laterBytes = segments.subList(3, segments.size()).stream().mapToLong(SegmentInfo::sizeBytes).sum();
        RecoveryReport report = recovered.lastRecovery();
        assertThat(report.bytesTruncated()).isEqualTo(victim.sizeBytes() - position + laterBytes);
        assertThat(report.segmentsScanned()).isEqualTo(3);
        assertThat(report.recoveredFromOffset()).isZero();
        assertThat(recovered.nextOffset()).isEqualTo(corrupted.baseOffset());
        assertThat(recovered.segments()).hasSize(3);
        assertThat(storage.list()).doesNotContain(Segment.logName(segments.get(3).baseOffset()));
        assertThat(recovered.read(0, Integer.MAX_VALUE))
                .containsExactlyElementsOf(written.subList(0, written.indexOf(corrupted)));
        recovered.close();
    }

    @Test
    void bitFlipInATrustedSegmentFailsTheReadInsteadOfReturningBadData() throws IOException {
        PartitionLog log = open();
        appendMany(log, 40);
        log.close();
        storage.flipBit(Segment.logName(0), 30, 0);

        PartitionLog reopened = open();
        assertThat(reopened.lastRecovery().segmentsScanned()).isEqualTo(1);
        assertThatThrownBy(() -> reopened.read(0, 100)).isInstanceOf(IOException.class)
                .hasMessageContaining("BAD_CRC").hasMessageContaining(Segment.logName(0));
        reopened.close();
    }

    @Test
    void aDamagedRecordCountIsNotSkippedWhenSeekingPastIt() throws IOException {
        PartitionLog log = open();
        List<RecordBatch> written = appendMany(log, 40);
        List<SegmentInfo> segments = log.segments();
        log.close();
        // A 3-record batch followed by another batch in the same, trusted (not last) segment.
        SegmentInfo segment = null;
        RecordBatch victim = null;
        long position = 0;
        for (int k = 0; k + 1 < written.size() && victim == null; k++) {
            RecordBatch b = written.get(k);
            SegmentInfo s = segmentOf(segments, b.baseOffset());
            if (s != segment) {
                segment = s;
                position = 0;
            }
            if (b.recordCount() == 3 && s != segments.get(segments.size() - 1)
                    && written.get(k + 1).baseOffset() < s.nextOffset()) {
                victim = b;
            } else {
                position += b.sizeInBytes();
            }
        }
        assertThat(victim).isNotNull();
        // Record count is at bytes 18..21 of a batch: 3 -> 1 makes a seek think the batch ends early.
        storage.flipBit(Segment.logName(segment.baseOffset()), position + 21, 1);

        PartitionLog reopened = open();
        long inside = victim.baseOffset() + 1;
        assertThatThrownBy(() -> reopened.read(inside, 100)).isInstanceOf(IOException.class)
                .hasMessageContaining("seeking offset " + inside);
        reopened.close();
    }

    private static SegmentInfo segmentOf(List<SegmentInfo> segments, long offset) {
        return segments.stream().filter(s -> s.baseOffset() <= offset && offset < s.nextOffset()).findFirst()
                .orElseThrow();
    }

    @Test
    void corruptCheckpointMeansAFullScan() throws IOException {
        PartitionLog log = open();
        List<RecordBatch> written = appendMany(log, 40);
        int segmentCount = log.segments().size();
        log.close();
        storage.flipBit(RecoveryCheckpoint.FILE_NAME, 8, 2);

        PartitionLog reopened = open();
        assertThat(reopened.lastRecovery().segmentsScanned()).isEqualTo(segmentCount);
        assertThat(reopened.lastRecovery().batchesScanned()).isEqualTo(40);
        assertThat(reopened.lastRecovery().recoveredFromOffset()).isZero();
        assertThat(reopened.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(written);
        reopened.close();
        assertThat(open().lastRecovery().segmentsScanned()).as("checkpoint rewritten").isEqualTo(1);
    }

    @Test
    void appendsContinueCorrectlyAfterRecovery() throws IOException {
        PartitionLog log = open();
        List<RecordBatch> first = appendMany(log, 12);
        log.flush();
        appendMany(log, 5);
        storage.crash(7);

        PartitionLog recovered = open();
        long resumeAt = recovered.nextOffset();
        List<RecordBatch> second = appendMany(recovered, 20);
        assertThat(second.get(0).baseOffset()).isEqualTo(resumeAt);
        recovered.flush();
        storage.crash();

        PartitionLog again = open();
        List<RecordBatch> all = again.read(0, Integer.MAX_VALUE);
        assertThat(all).startsWith(first.toArray(new RecordBatch[0])).endsWith(second.toArray(new RecordBatch[0]));
        again.close();
    }

    @Test
    void failedForceFailsTheLogUntilReopened() throws IOException {
        PartitionLog log = open();
        List<RecordBatch> flushed = appendMany(log, 3);
        log.flush();
        appendMany(log, 2);
        storage.failNextForce(new IOException("EIO (simulated)"));
        assertThatThrownBy(log::flush).hasMessageContaining("EIO");
        assertThat(log.flushedOffset()).isEqualTo(flushed.get(2).nextOffset());
        assertThatThrownBy(() -> log.append(batch(1, 10))).isInstanceOf(IOException.class)
                .hasMessageContaining("reopen").hasMessageContaining("flushed up to offset " + log.flushedOffset());
        assertThatThrownBy(log::flush).isInstanceOf(IOException.class);
        log.close();
        storage.crash();

        PartitionLog reopened = open();
        assertThat(reopened.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(flushed);
        reopened.append(batch(1, 10));
        reopened.close();
    }

    @Test
    void fullDiskRejectsTheAppendWritesNothingAndTheLogStaysUsable() throws IOException {
        PartitionLog log = open();
        appendMany(log, 2);
        log.flush();
        storage.setCapacityBytes(storage.usedBytes() + 50);
        long next = log.nextOffset();
        List<SegmentInfo> before = log.segments();
        assertThatThrownBy(() -> log.append(batch(1, 100))).isInstanceOf(StorageFullException.class);
        assertThat(log.nextOffset()).isEqualTo(next);
        assertThat(log.segments()).isEqualTo(before);
        storage.setCapacityBytes(Long.MAX_VALUE);
        RecordBatch after = log.append(batch(1, 100)).batch();
        assertThat(after.baseOffset()).isEqualTo(next);
        log.close();
        assertThat(open().read(next, 1000)).containsExactly(after);
    }

    @Test
    void flushSyncsTheDirectoryOnlyWhenASegmentWasCreated() throws IOException {
        PartitionLog log = open();
        log.append(batch(1, 10));
        long syncs = storage.directorySyncCount();
        log.flush();
        assertThat(storage.directorySyncCount()).isEqualTo(syncs);
        log.append(batch(1, 500)); // rolls
        log.flush();
        assertThat(storage.directorySyncCount()).isGreaterThan(syncs);
        log.close();
    }

    @Test
    void singleWriterIsAssertedUnderEa() throws Exception {
        PartitionLog log = open();
        log.append(batch(1, 10));
        Throwable[] seen = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                log.append(batch(1, 10));
            } catch (Throwable t) {
                seen[0] = t;
            }
        }, "intruder");
        other.start();
        other.join();
        assertThat(seen[0]).isInstanceOf(AssertionError.class).hasMessageContaining("intruder");
        log.transferOwnership();
        Thread heir = new Thread(() -> {
            try {
                log.append(batch(1, 10));
                log.close();
            } catch (Throwable t) {
                seen[0] = t;
            }
        }, "heir");
        seen[0] = null;
        heir.start();
        heir.join();
        assertThat(seen[0]).isNull();
    }
}
