package io.semel.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's raw fsync rate: append 4 KiB and {@code force(false)}, one thread. The ceiling for
 * any design that forces per append, and the yardstick for what group commit buys.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RawFsyncBenchmark {
    private Path file;
    private FileChannel channel;
    private final ByteBuffer block = ByteBuffer.allocateDirect(4096);

    @Setup(Level.Trial)
    public void open() throws IOException {
        file = Files.createTempFile("semel-fsync-", ".bin");
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    public long appendAndForce() throws IOException {
        block.clear();
        channel.write(block);
        channel.force(false);
        return channel.position();
    }
}
