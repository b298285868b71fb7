package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitLogTest {
    private static final LogConfig CONFIG = LogConfig.builder().segmentBytes(16 * 1024).build();

    private final SimulatedStorage storage = new SimulatedStorage();
    private GroupCommitLog log;
    /** Set by the tests that hold forces; released before closing, so a failed test cannot hang the close. */
    private GatedStorage gated;

    @AfterEach
    void closeLog() throws IOException {
        if (gated != null) {
            gated.release();
        }
        if (log != null) {
            log.close();
        }
    }

    private GroupCommitLog start(FlushPolicy policy, int pendingMax) throws IOException {
        log = GroupCommitLog.start(() -> Partition.open(storage, CONFIG, 16, Clock.systemUTC()), policy, pendingMax,
                r -> new Thread(r, "test-partition-writer"));
        return log;
    }

    private static RecordBatch idempotent(long producerId, long seq, String value) {
        return RecordBatch.of(producerId, (short) 0, seq, 1_000L,
                List.of(LogRecord.of(null, value.getBytes(StandardCharsets.UTF_8))));
    }

    /** Parks the writer thread until the returned latch is released, so appends queue up. */
    private CountDownLatch blockWriter() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch parked = new CountDownLatch(1);
        log.call(p -> {
            parked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void queuedAppendsShareOneForceAndAreDurableWhenConfirmed() throws Exception {
        start(FlushPolicy.everyBatch(), 1024);
        CountDownLatch release = blockWriter();
        long forcesBefore = storage.forceCount();
        List<CompletableFuture<AppendOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(log.append(TestBatches.batch(1, 50), (short) -1));
        }
        release.countDown();
        for (CompletableFuture<AppendOutcome> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
        // 200 appends in one round: the segment force plus a few for roll/checkpoint, not 200.
        assertThat(storage.forceCount() - forcesBefore).isLessThan(20);

        storage.crash(); // every confirmed append must have been forced already
        log.close();
        log = null;
        try (Partition reopened = Partition.open(storage, CONFIG, 16, Clock.systemUTC())) {
            assertThat(reopened.nextOffset()).isEqualTo(200);
        }
    }

    @Test
    void retryInTheSameRoundIsConfirmedAsDuplicateWithOriginalOffsets() throws Exception {
        start(FlushPolicy.everyBatch(), 1024);
        log.append(idempotent(7, 0, "first"), (short) 0).get();
        CountDownLatch release = blockWriter();
        CompletableFuture<AppendOutcome> original = log.append(idempotent(7, 1, "second"), (short) 0);
        CompletableFuture<AppendOutcome> retry = log.append(idempotent(7, 1, "second"), (short) 0);
        release.countDown();
        assertThat(original.get(10, TimeUnit.SECONDS)).isEqualTo(new AppendOutcome(1, 1, false));
        assertThat(retry.get(10, TimeUnit.SECONDS)).isEqualTo(new AppendOutcome(1, 1, true));
    }

    @Test
    void rejectedAppendDoesNotDisturbTheOthersInItsRound() throws Exception {
        start(FlushPolicy.everyBatch(), 1024);
        CountDownLatch release = blockWriter();
        CompletableFuture<AppendOutcome> ok1 = log.append(TestBatches.batch(1, 10), (short) -1);
        CompletableFuture<AppendOutcome> gap = log.append(idempotent(3, 5, "gap"), (short) 0);
        CompletableFuture<AppendOutcome> ok2 = log.append(TestBatches.batch(1, 10), (short) -1);
        release.countDown();
        assertThat(ok1.get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(0);
        assertThat(ok2.get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(1);
        assertThatThrownBy(() -> gap.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(AppendRejectedException.class)
                .cause().satisfies(e -> assertThat(((AppendRejectedException) e).errorCode())
                        .isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN));
    }

    @Test
    void failedForceFailsTheRoundAndTheRetryLeavesExactlyOneCopy() throws Exception {
        start(FlushPolicy.everyBatch(), 1024);
        log.append(idempotent(1, 0, "a"), (short) 0).get();
        storage.failNextForce(new IOException("simulated EIO on fsync"));
        CompletableFuture<AppendOutcome> failed = log.append(idempotent(1, 1, "b"), (short) 0);
        assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);

        // Outcome unknown to the client: it retries the same sequence after the partition reopened.
        AppendOutcome retried = log.append(idempotent(1, 1, "b"), (short) 0).get(10, TimeUnit.SECONDS);
        assertThat(retried.baseOffset()).isEqualTo(1);
        AppendOutcome next = log.append(idempotent(1, 2, "c"), (short) 0).get(10, TimeUnit.SECONDS);
        assertThat(next).isEqualTo(new AppendOutcome(2, 2, false));
        assertThat(log.call(p -> p.read(0, 1 << 20).size()).get()).isEqualTo(3);
    }

    @Test
    void fullQueueAnswersThrottledAtOnce() throws Exception {
        start(FlushPolicy.everyBatch(), 2);
        CountDownLatch release = blockWriter();
        log.append(TestBatches.batch(1, 10), (short) -1);
        log.append(TestBatches.batch(1, 10), (short) -1);
        CompletableFuture<AppendOutcome> third = log.append(TestBatches.batch(1, 10), (short) -1);
        assertThat(third).isCompletedExceptionally();
        assertThatThrownBy(third::get).cause().isInstanceOf(AppendRejectedException.class)
                .satisfies(e -> assertThat(((AppendRejectedException) e).errorCode()).isEqualTo(ErrorCode.THROTTLED));
        release.countDown();
    }

    @Test
    void intervalPolicyConfirmsBeforeForceAndCanLoseConfirmedAppendsOnMachineCrash() throws Exception {
        start(FlushPolicy.intervalMs(60_000), 1024);
        AppendOutcome confirmed = log.append(TestBatches.batch(1, 10), (short) -1).get(10, TimeUnit.SECONDS);
        assertThat(confirmed.baseOffset()).isZero();
        storage.crash();
        log.close();
        log = null;
        try (Partition reopened = Partition.open(storage, CONFIG, 16, Clock.systemUTC())) {
            assertThat(reopened.nextOffset()).as("the weaker policy's documented cost").isZero();
        }
    }

    @Test
    void closeCompletesQueuedAppendsAndRefusesNewOnes() throws Exception {
        start(FlushPolicy.everyBatch(), 1024);
        CompletableFuture<AppendOutcome> queued = log.append(TestBatches.batch(1, 10), (short) -1);
        log.close();
        GroupCommitLog closed = log;
        log = null;
        assertThat(queued.get(10, TimeUnit.SECONDS).baseOffset()).isZero();
        assertThatThrownBy(() -> closed.append(TestBatches.batch(1, 10), (short) -1).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
        try (Partition reopened = Partition.open(storage, CONFIG, 16, Clock.systemUTC())) {
            assertThat(reopened.nextOffset()).isEqualTo(1);
        }
    }

    @Test
    void failingTaskFailsAloneAndAppendsInItsRoundAreConfirmed() throws Exception {
        start(FlushPolicy.everyBatch(), 1024);
        CountDownLatch release = blockWriter();
        CompletableFuture<AppendOutcome> before = log.append(TestBatches.batch(1, 10), (short) -1);
        CompletableFuture<Object> failing = log.call(p -> {
            throw new IllegalStateException("task bug");
        });
        CompletableFuture<AppendOutcome> after = log.append(TestBatches.batch(1, 10), (short) -1);
        release.countDown();
        assertThat(before.get(10, TimeUnit.SECONDS).baseOffset()).isZero();
        assertThat(after.get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(1);
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void idlePartitionWriterSleepsUntilWorkArrives() throws Exception {
        start(FlushPolicy.everyBatch(), 16);
        log.append(TestBatches.batch(1, 10), (short) -1).get(10, TimeUnit.SECONDS);
        Thread.sleep(300); // an idle writer that polls would wake ~60 times here
        assertThat(log.idleWakeups()).as("wake-ups with nothing to do").isZero();
        assertThat(log.append(TestBatches.batch(1, 10), (short) -1).get(10, TimeUnit.SECONDS).duplicate()).isFalse();
    }

    @Test
    void intervalPolicyForcesOnceAfterWritesThenSleeps() throws Exception {
        start(FlushPolicy.intervalMs(20), 16);
        long forcesBeforeWrite = storage.forceCount();
        log.append(TestBatches.batch(1, 10), (short) -1).get(10, TimeUnit.SECONDS);
        // Confirmed after the write; the interval force follows (it may already have happened).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (storage.forceCount() == forcesBeforeWrite) {
            assertThat(System.nanoTime()).as("the interval force of the written batch").isLessThan(deadline);
            Thread.sleep(5);
        }
        Thread.sleep(100); // let a force in progress finish
        long forcesAfterInterval = storage.forceCount();
        Thread.sleep(300);
        assertThat(storage.forceCount()).as("nothing written since: no more forces").isEqualTo(forcesAfterInterval);
        assertThat(log.idleWakeups()).isZero();
    }

    private GroupCommitLog startGated(int pendingMax, int unforcedMax) throws IOException {
        gated = new GatedStorage(storage);
        log = GroupCommitLog.start(() -> Partition.open(gated, CONFIG, 16, Clock.systemUTC()), FlushPolicy.everyBatch(),
                pendingMax, unforcedMax, r -> new Thread(r, "test-partition-writer"), GroupCommitLog.RoundListener.NONE);
        return log;
    }

    /** Waits until the storage holds {@code bytes} more bytes written than {@code before}. */
    private void awaitWritten(long before, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (storage.bytesWritten() - before < bytes) {
            assertThat(System.nanoTime() - deadline).as("bytes written while a force is held: %d of %d",
                    storage.bytesWritten() - before, bytes).isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void appendsArrivingDuringAForceAreWrittenAtOnceAndShareTheNextForce() throws Exception {
        startGated(1024, GroupCommitLog.UNFORCED_REQUESTS_MAX);
        gated.hold();
        CompletableFuture<AppendOutcome> first = log.append(TestBatches.batch(1, 50), (short) -1);
        gated.awaitForcesHeld(1);
        long forcesBefore = storage.forceCount();
        long writtenBefore = storage.bytesWritten();
        List<CompletableFuture<AppendOutcome>> during = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            during.add(log.append(TestBatches.batch(1, 50), (short) -1));
        }
        // The appender does not wait for the force in progress: all 50 are written meanwhile ...
        awaitWritten(writtenBefore, 50L * TestBatches.batch(1, 50).sizeInBytes());
        // ... and none is confirmed, nor the first: their force has not returned.
        assertThat(first).isNotDone();
        assertThat(during).noneMatch(CompletableFuture::isDone);

        gated.release();
        assertThat(first.get(10, TimeUnit.SECONDS).baseOffset()).isZero();
        for (int i = 0; i < during.size(); i++) {
            assertThat(during.get(i).get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(i + 1);
        }
        assertThat(storage.forceCount() - forcesBefore).as("the held force plus one for all 50 written during it")
                .isEqualTo(2);
        storage.crash(); // every confirmed append was forced
        log.close();
        log = null;
        try (Partition reopened = Partition.open(storage, CONFIG, 16, Clock.systemUTC())) {
            assertThat(reopened.nextOffset()).isEqualTo(51);
        }
    }

    @Test
    void failedForceFailsEverythingWrittenWhileItRanAndRetriesLeaveOneCopy() throws Exception {
        startGated(1024, GroupCommitLog.UNFORCED_REQUESTS_MAX);
        gated.hold();
        List<CompletableFuture<AppendOutcome>> sent = new ArrayList<>();
        sent.add(log.append(idempotent(4, 0, "v0"), (short) 0));
        gated.awaitForcesHeld(1);
        long writtenBefore = storage.bytesWritten();
        for (int seq = 1; seq <= 5; seq++) {
            sent.add(log.append(idempotent(4, seq, "v" + seq), (short) 0));
        }
        awaitWritten(writtenBefore, 5L * idempotent(4, 1, "v1").sizeInBytes());
        storage.failNextForce(new IOException("simulated EIO on fsync"));
        gated.release();
        for (CompletableFuture<AppendOutcome> f : sent) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).as("written before or during the failed force")
                    .hasCauseInstanceOf(IOException.class);
        }
        // Outcome unknown: the client retries every sequence; the reopened partition dedups what survived.
        for (int seq = 0; seq <= 5; seq++) {
            log.append(idempotent(4, seq, "v" + seq), (short) 0).get(10, TimeUnit.SECONDS); // appended or duplicate
        }
        List<RecordBatch> all = log.call(p -> p.read(0, 1 << 20)).get(10, TimeUnit.SECONDS);
        assertThat(all).extracting(RecordBatch::baseSequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void appenderStopsTakingRequestsWhileTheUnforcedBoundIsReached() throws Exception {
        startGated(2, 4);
        int batchBytes = TestBatches.batch(1, 10).sizeInBytes();
        gated.hold();
        List<CompletableFuture<AppendOutcome>> accepted = new ArrayList<>();
        accepted.add(log.append(TestBatches.batch(1, 10), (short) -1));
        gated.awaitForcesHeld(1);
        long writtenBefore = storage.bytesWritten();
        // Four fill the bound; the fifth is written too, but its hand-over waits for room.
        for (int i = 0; i < 5; i++) {
            accepted.add(log.append(TestBatches.batch(1, 10), (short) -1));
            awaitWritten(writtenBefore, (i + 1L) * batchBytes);
        }
        // The appender is blocked: two fill the queue, the next is refused at once.
        accepted.add(log.append(TestBatches.batch(1, 10), (short) -1));
        accepted.add(log.append(TestBatches.batch(1, 10), (short) -1));
        CompletableFuture<AppendOutcome> refused = log.append(TestBatches.batch(1, 10), (short) -1);
        assertThatThrownBy(refused::get).cause().isInstanceOf(AppendRejectedException.class)
                .satisfies(e -> assertThat(((AppendRejectedException) e).errorCode()).isEqualTo(ErrorCode.THROTTLED));
        assertThat(storage.bytesWritten() - writtenBefore).as("nothing written beyond the bound").isEqualTo(5L * batchBytes);

        gated.release();
        for (int i = 0; i < accepted.size(); i++) {
            assertThat(accepted.get(i).get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(i);
        }
    }

    @Test
    void retentionRightAfterARollWaitsForTheForceStillRunningOnTheOldSegment(@TempDir Path dir) throws Exception {
        LogConfig keepLittle = CONFIG.toBuilder().retentionBytes(1).build();
        gated = new GatedStorage(new FileStorage(dir)); // a real file: forcing a closed channel fails
        List<Thread> threads = new ArrayList<>();
        log = GroupCommitLog.start(() -> Partition.open(gated, keepLittle, 16, Clock.systemUTC()),
                FlushPolicy.everyBatch(), 1024, GroupCommitLog.UNFORCED_REQUESTS_MAX, r -> {
                    Thread t = new Thread(r, "test-partition-writer");
                    threads.add(t);
                    return t;
                }, GroupCommitLog.RoundListener.NONE);
        Thread appender = threads.get(0);
        gated.hold();
        CompletableFuture<AppendOutcome> inOldSegment = log.append(TestBatches.batch(1, 10_000), (short) -1);
        gated.awaitForcesHeld(1); // the flusher forces the first segment, held there
        CountDownLatch release = blockWriter();
        long writtenBefore = gated.bytesWritten();
        CompletableFuture<AppendOutcome> rolls = log.append(TestBatches.batch(1, 10_000), (short) -1);
        CompletableFuture<Integer> retention = log.call(Partition::applyRetention); // same round as the roll
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gated.bytesWritten() == writtenBefore || appender.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() - deadline).as("the appender wrote the rolling batch and waits").isNegative();
            Thread.sleep(1);
        }
        assertThat(dir.resolve(io.semel.log.internal.Segment.logName(0))).as("old segment, its force still held")
                .exists();
        gated.release();
        assertThat(inOldSegment.get(10, TimeUnit.SECONDS).baseOffset()).as("its force was not cut short").isZero();
        assertThat(rolls.get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(1);
        assertThat(retention.get(10, TimeUnit.SECONDS)).as("segments deleted").isEqualTo(1);
    }

    /** The batch at {@code offset} as a reader on another thread sees it now, or an assertion error. */
    private static AppendOutcome readableAtOnce(LogReader reader, AppendOutcome confirmed) {
        try {
            assertThat(reader.read(confirmed.baseOffset(), 1 << 20, 1)).as("offset %d, durable end %d",
                    confirmed.baseOffset(), reader.durableEnd()).extracting(RecordBatch::baseOffset)
                    .containsExactly(confirmed.baseOffset());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return confirmed;
    }

    @Test
    void aConfirmedAppendIsReadableThroughTheReaderTheMomentItsFutureCompletes() throws Exception {
        LogReader reader = new LogReader();
        log = GroupCommitLog.start(() -> Partition.open(storage, CONFIG, 16, Clock.systemUTC(), reader),
                FlushPolicy.everyBatch(), 1024, r -> new Thread(r, "test-partition-writer"));
        int batchBytes = TestBatches.batch(1, 50).sizeInBytes();
        int appends = 3 * CONFIG.segmentBytes() / batchBytes; // rolls too: those rounds are confirmed after a full flush
        for (int i = 0; i < appends; i++) {
            // The continuation runs on the confirming thread as the future completes: no later publication helps it.
            AppendOutcome confirmed = log.append(TestBatches.batch(1, 50), (short) -1)
                    .thenApply(o -> readableAtOnce(reader, o)).get(10, TimeUnit.SECONDS);
            assertThat(confirmed.baseOffset()).isEqualTo(i);
        }
        assertThat(log.call(p -> p.log().segments().size()).get(10, TimeUnit.SECONDS)).as("segments").isGreaterThan(2);
    }

    @Test
    void aFailedForceAlsoFailsTheGroupWhoseHandOverWaitedAtTheBound() throws Exception {
        gated = new GatedStorage(storage);
        List<Thread> threads = new ArrayList<>();
        log = GroupCommitLog.start(() -> Partition.open(gated, CONFIG, 16, Clock.systemUTC()), FlushPolicy.everyBatch(),
                16, 2, r -> {
                    Thread t = new Thread(r, "test-partition-writer");
                    threads.add(t);
                    return t;
                }, GroupCommitLog.RoundListener.NONE);
        Thread appender = threads.get(0);
        gated.hold();
        List<CompletableFuture<AppendOutcome>> sent = new ArrayList<>();
        sent.add(log.append(idempotent(6, 0, "v0"), (short) 0));
        gated.awaitForcesHeld(1);
        long writtenBefore = storage.bytesWritten();
        // Two fill the bound of requests waiting for the next force; the third is written and its hand-over waits.
        for (int seq = 1; seq <= 3; seq++) {
            sent.add(log.append(idempotent(6, seq, "v" + seq), (short) 0));
            awaitWritten(writtenBefore, seq * (long) idempotent(6, seq, "v" + seq).sizeInBytes());
        }
        awaitState(appender, Thread.State.WAITING);
        storage.failNextForce(new IOException("simulated EIO on fsync"));
        gated.release();
        for (CompletableFuture<AppendOutcome> f : sent) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).as("never confirmed: written before or during the"
                    + " failed force").hasCauseInstanceOf(IOException.class);
        }
        for (int seq = 0; seq <= 3; seq++) {
            log.append(idempotent(6, seq, "v" + seq), (short) 0).get(10, TimeUnit.SECONDS); // appended or duplicate
        }
        List<RecordBatch> all = log.call(p -> p.read(0, 1 << 20)).get(10, TimeUnit.SECONDS);
        assertThat(all).extracting(RecordBatch::baseSequence).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void atMostSixteenMibWaitForTheNextForceWhileOneRuns() throws Exception {
        LogConfig big = CONFIG.toBuilder().segmentBytes(64 << 20).maxBatchBytes(10 << 20).maxRecordBytes(10 << 20)
                .build();
        gated = new GatedStorage(storage);
        List<Thread> threads = new ArrayList<>();
        log = GroupCommitLog.start(() -> Partition.open(gated, big, 16, Clock.systemUTC()), FlushPolicy.everyBatch(),
                16, r -> {
                    Thread t = new Thread(r, "test-partition-writer");
                    threads.add(t);
                    return t;
                }); // the public start: the real bounds
        assertThat(GroupCommitLog.UNFORCED_BYTES_MAX).isEqualTo(16L << 20);
        gated.hold();
        List<CompletableFuture<AppendOutcome>> sent = new ArrayList<>();
        sent.add(log.append(TestBatches.batch(1, 10), (short) -1));
        gated.awaitForcesHeld(1);
        long writtenBefore = storage.bytesWritten();
        long written = 0;
        // 9 MiB, then 7 MiB less 4 KiB: together within the bound, both handed over; the next MiB goes beyond it.
        for (int valueBytes : new int[] {9 << 20, (7 << 20) - 4096, 1 << 20}) {
            RecordBatch batch = TestBatches.batch(1, valueBytes);
            sent.add(log.append(batch, (short) -1));
            written += batch.sizeInBytes();
            awaitWritten(writtenBefore, written);
        }
        awaitState(threads.get(0), Thread.State.WAITING);
        sent.add(log.append(TestBatches.batch(1, 10), (short) -1));
        Thread.sleep(100); // an appender not held at the bound writes the last one now
        assertThat(storage.bytesWritten() - writtenBefore).as("the 1 MiB written, its hand-over waiting; nothing after")
                .isEqualTo(written);

        gated.release();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(i);
        }
    }

    @Test
    void atMostOneThousandTwentyFourRequestsWaitForTheNextForceWhileOneRuns() throws Exception {
        gated = new GatedStorage(storage);
        List<Thread> threads = new ArrayList<>();
        log = GroupCommitLog.start(() -> Partition.open(gated, CONFIG.toBuilder().segmentBytes(1 << 20).build(), 16,
                Clock.systemUTC()), FlushPolicy.everyBatch(), 4096, r -> {
                    Thread t = new Thread(r, "test-partition-writer");
                    threads.add(t);
                    return t;
                }); // the public start: the real bounds
        assertThat(GroupCommitLog.UNFORCED_REQUESTS_MAX).isEqualTo(1024);
        RecordBatch batch = TestBatches.batch(1, 10);
        gated.hold();
        List<CompletableFuture<AppendOutcome>> sent = new ArrayList<>();
        sent.add(log.append(batch, (short) -1));
        gated.awaitForcesHeld(1);
        long writtenBefore = storage.bytesWritten();
        CountDownLatch release = blockWriter(); // its task is the first request waiting for the next force
        for (int i = 0; i < 1023; i++) {
            sent.add(log.append(batch, (short) -1));
        }
        release.countDown();
        awaitWritten(writtenBefore, 1023L * batch.sizeInBytes()); // one round, handed over: 1,024 wait
        sent.add(log.append(batch, (short) -1));
        awaitWritten(writtenBefore, 1024L * batch.sizeInBytes()); // written, its hand-over waits
        awaitState(threads.get(0), Thread.State.WAITING);
        sent.add(log.append(batch, (short) -1));
        Thread.sleep(100); // an appender not held at the bound writes the last one now
        assertThat(storage.bytesWritten() - writtenBefore).as("nothing written after the request beyond the bound")
                .isEqualTo(1024L * batch.sizeInBytes());

        gated.release();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).get(10, TimeUnit.SECONDS).baseOffset()).isEqualTo(i);
        }
    }

    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != state) {
            assertThat(System.nanoTime() - deadline).as("%s reaches %s", thread.getName(), state).isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void roundListenerIsToldEachForcedRoundsAppendsAndBytesAndNothingForRoundsWithoutAppends() throws Exception {
        List<long[]> rounds = new java.util.concurrent.CopyOnWriteArrayList<>();
        log = GroupCommitLog.start(() -> Partition.open(storage, CONFIG, 16, Clock.systemUTC()), FlushPolicy.everyBatch(),
                1024, r -> new Thread(r, "test-partition-writer"),
                (appends, bytes, forceNanos) -> rounds.add(new long[] {appends, bytes, forceNanos}));
        CountDownLatch release = blockWriter(); // a round holding only a task
        RecordBatch batch = TestBatches.batch(1, 50);
        List<CompletableFuture<AppendOutcome>> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(log.append(batch, (short) -1));
        }
        release.countDown();
        for (CompletableFuture<AppendOutcome> f : sent) {
            f.get(10, TimeUnit.SECONDS);
        }
        log.call(p -> null).get(10, TimeUnit.SECONDS); // confirmed after the appends' round was reported
        assertThat(rounds).hasSize(1);
        assertThat(rounds.get(0)[0]).as("appends").isEqualTo(3);
        assertThat(rounds.get(0)[1]).as("bytes").isEqualTo(3L * batch.sizeInBytes());
        assertThat(rounds.get(0)[2]).as("force nanos").isPositive();
    }

    @Test
    void closeWakesAWriterBlockedOnAnEmptyQueue() throws Exception {
        start(FlushPolicy.everyBatch(), 1);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                log.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        closed.get(10, TimeUnit.SECONDS);
        log = null;
    }
}
