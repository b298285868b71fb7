package io.semel.log;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Child-JVM side of {@link LogKillTest}: several producer threads append idempotent batches
 * through group commit on real files and print one line per confirmed append, until killed.
 *
 * <p>Line format: {@code CONFIRMED <producerId> <baseSeq> <lastSeq> <baseOffset> <lastOffset>}.
 */
public final class LogKillChild {
    static final int RECORDS_PER_BATCH = 3;

    private LogKillChild() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int producers = Integer.parseInt(args[1]);
        LogConfig config = LogConfig.builder().segmentBytes(64 * 1024).build();
        GroupCommitLog log = GroupCommitLog.start(
                () -> Partition.open(new FileStorage(dir), config, 64, Clock.systemUTC()),
                FlushPolicy.everyBatch(), 1024, r -> new Thread(r, "partition-writer"));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        out.println("READY");
        out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long producerId = p;
            Thread t = new Thread(() -> produce(log, producerId, out), "producer-" + p);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void produce(GroupCommitLog log, long producerId, PrintStream out) {
        for (long seq = 0; ; seq += RECORDS_PER_BATCH) {
            RecordBatch batch = batch(producerId, seq);
            try {
                AppendOutcome outcome = log.append(batch, (short) 0).get();
                synchronized (out) {
                    out.println("CONFIRMED " + producerId + " " + seq + " " + batch.lastSequence() + " "
                            + outcome.baseOffset() + " " + outcome.lastOffset());
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException("append failed", e.getCause());
            }
        }
    }

    /** The batch a producer sends for a sequence: deterministic, so the test can rebuild it. */
    static RecordBatch batch(long producerId, long baseSequence) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_BATCH; i++) {
            String value = "p" + producerId + "-s" + (baseSequence + i);
            records.add(LogRecord.of(null, value.getBytes(StandardCharsets.UTF_8)));
        }
        return RecordBatch.of(producerId, (short) 0, baseSequence, 1_700_000_000_000L, records);
    }
}
