package io.semel.bench;

import io.semel.log.FileStorage;
import io.semel.log.FlushPolicy;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogConfig;
import io.semel.log.Partition;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append throughput of one partition on the real file system, with group commit and fsync before
 * every confirm (the default durability). Each benchmark thread is one appender that waits for its
 * confirm before sending the next batch, so concurrency is what group commit can amortise.
 *
 * <p>Score = confirmed appends (batches) per second over all threads; records/s = score x
 * {@code recordsPerBatch}. Compare with {@link RawFsyncBenchmark} run the same day.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class LogAppendBenchmark {

    @Param({"100", "1024"})
    public int recordBytes;

    @Param({"1", "64"})
    public int recordsPerBatch;

    private Path dir;
    private GroupCommitLog log;
    private RecordBatch batch;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("semel-bench-");
        LogConfig config = LogConfig.builder().build();
        log = GroupCommitLog.start(() -> Partition.open(new FileStorage(dir), config, 1024, Clock.systemUTC()),
                FlushPolicy.everyBatch(), GroupCommitLog.PENDING_REQUESTS_MAX_DEFAULT,
                r -> new Thread(r, "partition-writer"));
        Random random = new Random(42);
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < recordsPerBatch; i++) {
            byte[] value = new byte[recordBytes];
            random.nextBytes(value);
            records.add(LogRecord.of(null, value));
        }
        batch = RecordBatch.of(System.currentTimeMillis(), records);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private long appendAndWait() throws InterruptedException, ExecutionException {
        return log.append(batch, (short) -1).get().baseOffset();
    }

    @Benchmark
    @Threads(1)
    public long appenders01() throws InterruptedException, ExecutionException {
        return appendAndWait();
    }

    @Benchmark
    @Threads(4)
    public long appenders04() throws InterruptedException, ExecutionException {
        return appendAndWait();
    }

    @Benchmark
    @Threads(16)
    public long appenders16() throws InterruptedException, ExecutionException {
        return appendAndWait();
    }
}
