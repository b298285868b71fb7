package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogReader}: durable-only reads from other threads, safe against roll, retention and close. */
class LogReaderTest {
    private static final LogConfig SMALL = LogConfig.builder().segmentBytes(2_000).indexIntervalBytes(150).build();

    @TempDir
    Path dir;

    /** Three records whose values are their future offsets (the log starts at 0 and is dense). */
    private static RecordBatch numbered(long firstOffset, int records) {
        List<LogRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(LogRecord.of(null, ByteBuffer.allocate(8).putLong(firstOffset + i).array()));
        }
        return RecordBatch.of(1_000L, list);
    }

    @Test
    void seesOnlyWhatWasForcedAndWakesWaitersOnForce() throws IOException {
        LogReader reader = new LogReader();
        PartitionLog log = PartitionLog.open(new FileStorage(dir), SMALL, Clock.systemUTC(), reader);
        {
            log.append(numbered(0, 3));
            CompletableFuture<Void> beyond2 = reader.awaitDurableBeyond(2);
            assertThat(reader.durableEnd()).isZero();
            assertThat(reader.read(0, 10_000)).isEmpty();
            assertThat(beyond2).isNotDone();

            log.flush();

            assertThat(beyond2).isDone();
            assertThat(reader.durableEnd()).isEqualTo(3);
            assertThat(reader.read(0, 10_000)).extracting(RecordBatch::baseOffset).containsExactly(0L);
            assertThat(reader.awaitDurableBeyond(2)).isDone();
            CompletableFuture<Void> beyond3 = reader.awaitDurableBeyond(3);
            assertThat(beyond3).isNotDone();
            log.close();
            assertThat(beyond3).as("closing wakes waiters").isDone();
        }
        assertThat(reader.isOpen()).isFalse();
        assertThatThrownBy(() -> reader.read(0, 100)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void aDamagedDurableBatchFailsTheReadInsteadOfBeingServed() throws IOException {
        LogReader reader = new LogReader();
        try (PartitionLog log = PartitionLog.open(new FileStorage(dir), SMALL, Clock.systemUTC(), reader)) {
            log.append(numbered(0, 3));
            RecordBatch second = numbered(3, 3);
            log.append(second);
            log.flush();
            long firstBytes = numbered(0, 3).sizeInBytes();
            // A flipped bit in the second batch's last record (media corruption under the reader).
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(
                    dir.resolve(io.semel.log.internal.Segment.logName(0)).toFile(), "rw")) {
                long at = firstBytes + second.sizeInBytes() - 1;
                raf.seek(at);
                int b = raf.read();
                raf.seek(at);
                raf.write(b ^ 0x01);
            }
            assertThat(reader.read(0, 10_000, 3)).as("the good batch, read alone")
                    .extracting(RecordBatch::baseOffset).containsExactly(0L);
            assertThatThrownBy(() -> reader.read(3, 10_000)).isInstanceOf(IOException.class)
                    .hasMessageContaining("corrupt batch in " + io.semel.log.internal.Segment.logName(0))
                    .hasMessageContaining("at position " + firstBytes);
        }
    }

    @Test
    void offsetsRemovedByRetentionAreOutOfRange() throws IOException {
        LogReader reader = new LogReader();
        LogConfig config = SMALL.toBuilder().retentionBytes(2_000).retentionMs(-1).build();
        try (PartitionLog log = PartitionLog.open(new FileStorage(dir), config, Clock.systemUTC(), reader)) {
            for (long next = 0; next < 300; next += 3) {
                log.append(numbered(next, 3));
            }
            log.flush();
            assertThat(log.applyRetention()).isPositive();
            assertThat(reader.startOffset()).isEqualTo(log.startOffset()).isPositive();
            assertThatThrownBy(() -> reader.read(0, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertThat(reader.read(log.startOffset(), 100)).isNotEmpty();
        }
    }

    /**
     * Readers on two threads read random durable offsets while the owner appends, forces, rolls
     * segments every few batches and deletes the oldest by retention after each force. Every read
     * either returns the right records or says the offset is gone; a reader must never hit a
     * closed or deleted file (which it would if a retired segment's file closed under it).
     */
    @Test
    void readersRunConcurrentlyWithRollAndRetentionDeletion() throws Exception {
        LogReader reader = new LogReader();
        LogConfig config = SMALL.toBuilder().retentionBytes(4_000).retentionMs(-1).build();
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong readsOk = new AtomicLong();
        AtomicLong gone = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                while (writing.get()) {
                    long end = reader.durableEnd();
                    long start = reader.startOffset();
                    if (end <= start) {
                        Thread.onSpinWait();
                        continue;
                    }
                    long from = ThreadLocalRandom.current().nextLong(start, end);
                    try {
                        long expected = -1;
                        for (RecordBatch b : reader.read(from, 600)) {
                            long offset = b.baseOffset();
                            assertThat(expected < 0 || offset == expected).as("dense").isTrue();
                            for (LogRecord r : b.records()) {
                                assertThat(ByteBuffer.wrap(r.value()).getLong()).isEqualTo(offset);
                                offset++;
                            }
                            expected = offset;
                            assertThat(offset).isLessThanOrEqualTo(reader.durableEnd());
                        }
                        readsOk.incrementAndGet();
                    } catch (OffsetOutOfRangeException e) {
                        gone.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                        return;
                    }
                }
            }, "log-reader-test-" + t);
            th.start();
            readers.add(th);
        }
        try (PartitionLog log = PartitionLog.open(new FileStorage(dir), config, Clock.systemUTC(), reader)) {
            long deleted = 0;
            for (long next = 0; next < 3_000 && failures.isEmpty(); next += 3) {
                log.append(numbered(next, 3));
                if (next % 12 == 9) { // a force every 4 appends: fewer fsyncs, same rolls and deletions
                    log.flush();
                    deleted += log.applyRetention();
                }
            }
            assertThat(deleted).as("segments deleted by retention").isGreaterThan(20);
            writing.set(false);
            for (Thread th : readers) {
                th.join();
            }
        } finally {
            writing.set(false);
            for (Thread th : readers) {
                th.join();
            }
        }
        assertThat(failures).isEmpty();
        assertThat(readsOk.get()).isPositive();
    }

    /**
     * After a failed force the writer closes the partition (readers see it closed, nothing past the
     * old durable end) and reopens it through recovery on its next request; a reader that finds it
     * closed asks for one with a no-op task, after which it reads again.
     */
    @Test
    void aPartitionClosedByAStorageFailureIsReadableAgainAfterAnyWriterRequest() throws Exception {
        SimulatedStorage storage = new SimulatedStorage();
        LogReader reader = new LogReader();
        try (GroupCommitLog log = GroupCommitLog.start(() -> Partition.open(storage, SMALL, 16, Clock.systemUTC(), reader),
                FlushPolicy.everyBatch(), 100, Thread::new)) {
            log.append(numbered(0, 3), (short) -1).get();
            storage.failNextForce(new IOException("simulated EIO on fsync"));
            assertThatThrownBy(() -> log.append(numbered(3, 3), (short) -1).get()).hasCauseInstanceOf(IOException.class);
            // The writer fails the round's futures first, then closes the partition.
            long until = System.nanoTime() + 10_000_000_000L;
            while (reader.isOpen() && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(reader.isOpen()).isFalse();
            assertThat(reader.durableEnd()).as("the failed round was never durable").isEqualTo(3);
            assertThatThrownBy(() -> reader.read(0, 100)).isInstanceOf(IOException.class);

            log.call(p -> null).get(); // the nudge readers send

            assertThat(reader.isOpen()).isTrue();
            // Recovery keeps what it finds intact (the failed batch's outcome was unknown, not refused).
            assertThat(reader.read(0, 10_000)).extracting(RecordBatch::baseOffset).startsWith(0L);
        }
    }
}
