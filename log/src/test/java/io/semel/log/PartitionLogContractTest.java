package io.semel.log;

import static io.semel.log.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.log.internal.Segment;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PartitionLog behaviour that must hold on every {@link Storage}; one subclass per storage. */
abstract class PartitionLogContractTest {
    static final LogConfig SMALL = LogConfig.builder().segmentBytes(600).indexIntervalBytes(150).build();

    protected Storage storage;
    protected final TestBatches.ManualClock clock = new TestBatches.ManualClock(1_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    protected abstract Storage newStorage() throws IOException;

    @BeforeEach
    void setUp() throws IOException {
        storage = newStorage();
    }

    @AfterEach
    void closeLogs() throws IOException {
        for (PartitionLog log : opened) {
            log.close();
        }
    }

    PartitionLog open(LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open(storage, config, clock);
        opened.add(log);
        return log;
    }

    /** Appends {@code count} batches of 1..3 records of 40..80-byte values; returns them as written. */
    static List<RecordBatch> appendMany(PartitionLog log, int count) throws IOException {
        List<RecordBatch> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            written.add(log.append(batch(1 + i % 3, 40 + (i * 7) % 41, 1_000L + i, (char) ('a' + i % 26))).batch());
        }
        return written;
    }

    @Test
    void emptyLogStartsAtOffsetZero() throws IOException {
        PartitionLog log = open(SMALL);
        assertThat(log.nextOffset()).isZero();
        assertThat(log.startOffset()).isZero();
        assertThat(log.flushedOffset()).isZero();
        assertThat(log.read(0, 1000)).isEmpty();
        assertThat(log.segments()).containsExactly(new SegmentInfo(0, 0, 0));
    }

    @Test
    void batchesReadBackInOrderAcrossManySegments() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 60);
        assertThat(log.segments()).hasSizeGreaterThan(10);
        assertThat(log.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(written);
        long expected = 0;
        for (RecordBatch b : written) {
            assertThat(b.baseOffset()).isEqualTo(expected);
            expected = b.nextOffset();
        }
        assertThat(log.nextOffset()).isEqualTo(expected);
        for (SegmentInfo s : log.segments()) {
            assertThat(s.sizeBytes()).isLessThanOrEqualTo(SMALL.segmentBytes());
        }
    }

    @Test
    void readFromAnyOffsetStartsWithTheBatchContainingIt() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 40);
        for (RecordBatch b : written) {
            for (long offset = b.baseOffset(); offset < b.nextOffset(); offset++) {
                List<RecordBatch> read = log.read(offset, 1);
                assertThat(read).as("read from %d", offset).containsExactly(b);
            }
        }
    }

    @Test
    void readStopsBeforeMaxBytesButAlwaysReturnsOneBatch() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 10);
        int firstTwo = written.get(0).sizeInBytes() + written.get(1).sizeInBytes();
        assertThat(log.read(0, firstTwo)).containsExactly(written.get(0), written.get(1));
        assertThat(log.read(0, firstTwo - 1)).containsExactly(written.get(0));
        assertThat(log.read(0, 1)).containsExactly(written.get(0));
    }

    @Test
    void readOutsideTheLogThrowsOffsetOutOfRangeWithTheRange() throws IOException {
        PartitionLog log = open(SMALL);
        appendMany(log, 3);
        long next = log.nextOffset();
        assertThat(log.read(next, 100)).isEmpty();
        assertThatThrownBy(() -> log.read(next + 1, 100)).isInstanceOfSatisfying(OffsetOutOfRangeException.class,
                e -> {
                    assertThat(e.startOffset()).isZero();
                    assertThat(e.nextOffset()).isEqualTo(next);
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                });
        assertThatThrownBy(() -> log.read(-1, 100)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void appendRollsWhenTheBatchWouldNotFitAndAGiantBatchGoesAlone() throws IOException {
        PartitionLog log = open(SMALL);
        assertThat(log.append(batch(1, 400)).rolled()).isFalse();
        assertThat(log.append(batch(1, 400)).rolled()).isTrue();
        AppendResult giant = log.append(batch(1, 2000));
        assertThat(giant.rolled()).isTrue();
        assertThat(log.append(batch(1, 10)).rolled()).isTrue();
        assertThat(log.segments()).extracting(SegmentInfo::baseOffset).containsExactly(0L, 1L, 2L, 3L);
        assertThat(log.segments().get(2).sizeBytes()).isEqualTo(giant.batch().sizeInBytes());
        assertThat(storage.list()).contains(Segment.logName(3), Segment.indexName(3));
    }

    @Test
    void flushMakesEverythingAppendedFlushed() throws IOException {
        PartitionLog log = open(SMALL);
        appendMany(log, 20);
        assertThat(log.flushedOffset()).isZero();
        log.flush();
        assertThat(log.flushedOffset()).isEqualTo(log.nextOffset()).isPositive();
    }

    @Test
    void reopenAfterCloseKeepsEverythingAndScansOnlyTheLastSegment() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 50);
        List<SegmentInfo> segments = log.segments();
        log.close();
        log.close(); // idempotent

        PartitionLog reopened = open(SMALL);
        assertThat(reopened.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(written);
        assertThat(reopened.segments()).isEqualTo(segments);
        assertThat(reopened.flushedOffset()).isEqualTo(reopened.nextOffset());
        RecoveryReport report = reopened.lastRecovery();
        assertThat(report.segmentsScanned()).isEqualTo(1);
        assertThat(report.bytesTruncated()).isZero();
        assertThat(report.indexesRebuilt()).isZero();
        assertThat(report.recoveredFromOffset()).isEqualTo(segments.get(segments.size() - 1).baseOffset());
        assertThat(reopened.append(batch(1, 10)).batch().baseOffset()).isEqualTo(written.get(49).nextOffset());
    }

    @Test
    void oversizedBatchOrRecordIsRejectedAsMessageTooLargeAndNothingIsWritten() throws IOException {
        LogConfig config = SMALL.toBuilder().maxBatchBytes(300).maxRecordBytes(150).build();
        PartitionLog log = open(config);
        log.append(batch(1, 10));
        List<SegmentInfo> before = log.segments();
        RecordBatch bigBatch = batch(3, 100);
        assertThatThrownBy(() -> log.append(bigBatch)).isInstanceOfSatisfying(AppendRejectedException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
            assertThat(e.getMessage()).contains(String.valueOf(bigBatch.sizeInBytes()), "maxBatchBytes=300");
        });
        RecordBatch bigRecord = batch(1, 200);
        assertThatThrownBy(() -> log.append(bigRecord)).isInstanceOfSatisfying(AppendRejectedException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
            assertThat(e.getMessage()).contains("214", "maxRecordBytes=150");
        });
        assertThat(log.segments()).isEqualTo(before);
    }

    @Test
    void retentionBySizeDeletesWholeOldestSegmentsButNeverTheActiveOne() throws IOException {
        PartitionLog log = open(SMALL.toBuilder().retentionBytes(1000).retentionMs(-1).build());
        List<RecordBatch> written = appendMany(log, 40);
        List<SegmentInfo> before = log.segments();
        int deleted = log.applyRetention();
        List<SegmentInfo> after = log.segments();
        assertThat(deleted).isPositive();
        assertThat(after).isEqualTo(before.subList(deleted, before.size()));
        long kept = after.stream().mapToLong(SegmentInfo::sizeBytes).sum();
        assertThat(kept).isGreaterThanOrEqualTo(1000);
        assertThat(kept - after.get(0).sizeBytes()).isLessThan(1000);
        assertThat(log.startOffset()).isEqualTo(after.get(0).baseOffset());
        assertThat(storage.exists(Segment.logName(0))).isFalse();
        assertThat(log.read(log.startOffset(), Integer.MAX_VALUE))
                .containsExactlyElementsOf(written.stream().filter(b -> b.baseOffset() >= log.startOffset()).toList());
        assertThatThrownBy(() -> log.read(0, 100)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void deleteSegmentsBeforeRemovesOnlySegmentsWhollyBelowTheOffsetAndSurvivesReopen() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 40);
        log.flush();
        List<SegmentInfo> before = log.segments();
        SegmentInfo middle = before.get(before.size() / 2);
        long cut = middle.baseOffset() + 1; // inside the middle segment: it must stay
        int deleted = log.deleteSegmentsBefore(cut);
        assertThat(deleted).isEqualTo(before.size() / 2);
        assertThat(log.startOffset()).isEqualTo(middle.baseOffset());
        int allButActive = log.segments().size() - 1;
        assertThat(log.deleteSegmentsBefore(Long.MAX_VALUE)).as("never the active segment").isEqualTo(allButActive);
        assertThat(log.segments()).hasSize(1);
        long start = log.startOffset();
        log.close();
        PartitionLog reopened = open(SMALL);
        assertThat(reopened.startOffset()).isEqualTo(start);
        assertThat(reopened.read(start, Integer.MAX_VALUE))
                .containsExactlyElementsOf(written.stream().filter(b -> b.baseOffset() >= start).toList());
    }

    @Test
    void retentionByAgeDeletesSegmentsWhoseNewestBatchIsTooOld() throws IOException {
        long retentionMs = 10_000;
        PartitionLog log = open(SMALL.toBuilder().retentionMs(retentionMs).build());
        long now = clock.millis();
        for (int i = 0; i < 6; i++) {
            log.append(batch(1, 400, now - 20_000 + i * 1000, 'o')); // one batch per segment, all old
        }
        log.append(batch(1, 400, now, 'n'));
        assertThat(log.applyRetention()).isEqualTo(6);
        assertThat(log.startOffset()).isEqualTo(6);
        assertThat(log.applyRetention()).isZero();
        clock.advanceMs(retentionMs + 1);
        assertThat(log.applyRetention()).as("the active segment is never deleted").isZero();
        assertThat(log.segments()).hasSize(1);
    }

    @Test
    void retentionOfOldSegmentsWorksAfterReopenWhenTimestampsMustBeRead() throws IOException {
        PartitionLog log = open(SMALL.toBuilder().retentionMs(10_000).build());
        log.append(batch(1, 400, 0, 'o'));
        log.append(batch(1, 400, clock.millis(), 'n'));
        log.close();
        PartitionLog reopened = open(SMALL.toBuilder().retentionMs(10_000).build());
        assertThat(reopened.applyRetention()).isEqualTo(1);
        assertThat(reopened.startOffset()).isEqualTo(1);
    }

    @Test
    void missingIndexIsRebuiltAndReadsStayCorrect() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 30);
        log.close();
        storage.delete(Segment.indexName(0));
        PartitionLog reopened = open(SMALL);
        assertThat(reopened.lastRecovery().indexesRebuilt()).isEqualTo(1);
        assertThat(storage.exists(Segment.indexName(0))).isTrue();
        assertThat(reopened.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(written);
    }

    @Test
    void garbageIndexIsRebuiltAndReadsStayCorrect() throws IOException {
        PartitionLog log = open(SMALL);
        List<RecordBatch> written = appendMany(log, 30);
        log.close();
        try (StorageFile index = storage.open(Segment.indexName(0))) {
            index.write(0, ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0}));
        }
        PartitionLog reopened = open(SMALL);
        assertThat(reopened.lastRecovery().indexesRebuilt()).isEqualTo(1);
        assertThat(reopened.read(0, Integer.MAX_VALUE)).containsExactlyElementsOf(written);
    }

    @Test
    void plausibleButWrongIndexIsDetectedOnReadAndRebuilt() throws IOException {
        PartitionLog log = open(SMALL.toBuilder().indexIntervalBytes(1).build());
        List<RecordBatch> written = appendMany(log, 4);
        log.append(batch(1, 400)); // roll: segment 0 is now trusted on reopen
        log.close();
        // One entry, increasing and in range, but it names batch 1's offset at batch 2's position.
        RecordBatch second = written.get(1);
        int thirdPosition = written.get(0).sizeInBytes() + second.sizeInBytes();
        try (StorageFile index = storage.open(Segment.indexName(0))) {
            index.truncate(0);
            index.write(0, ByteBuffer.allocate(8).putInt((int) second.baseOffset()).putInt(thirdPosition).flip());
        }
        PartitionLog reopened = open(SMALL);
        assertThat(reopened.lastRecovery().indexesRebuilt()).as("passes the open-time check").isZero();
        assertThat(reopened.read(second.baseOffset(), 1)).containsExactly(second);
        assertThat(reopened.read(0, Integer.MAX_VALUE)).startsWith(written.toArray(new RecordBatch[0]));
    }

    @Test
    void unknownFilesAreIgnoredAndNeverDeleted() throws IOException {
        storage.open("00000000000000000000.snapshot").close();
        storage.open("notes.txt").close();
        storage.open("123.log").close();
        PartitionLog log = open(SMALL);
        appendMany(log, 30);
        log.close();
        open(SMALL.toBuilder().retentionBytes(0).build()).applyRetention();
        assertThat(storage.list()).contains("00000000000000000000.snapshot", "notes.txt", "123.log");
    }

    @Test
    void orphanIndexWithoutItsLogIsDeleted() throws IOException {
        storage.open(Segment.indexName(77)).close();
        open(SMALL);
        assertThat(storage.exists(Segment.indexName(77))).isFalse();
    }
}
