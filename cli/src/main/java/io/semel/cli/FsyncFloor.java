package io.semel.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The latency floor a durable confirm cannot beat on a disk: {@code forces} times a 4 KiB append and
 * {@code FileChannel.force(false)}, one thread, each timed (what the bench module's {@code RawFsyncBenchmark}
 * measures as a rate). A latency bench prints it beside its figures from the same run. Stateless.
 */
final class FsyncFloor {
    /** Most forces one probe makes. */
    static final int FORCES_MAX = 100_000;
    private static final int BLOCK_BYTES = 4096;

    private FsyncFloor() {
    }

    /** Times {@code forces} append + force calls on a new file in {@code dir}, deleted afterwards. */
    static LatencySample measure(Path dir, int forces) throws IOException {
        if (forces < 1 || forces > FORCES_MAX) {
            throw new IllegalArgumentException("forces " + forces + " is outside 1.." + FORCES_MAX);
        }
        Path file = dir.resolve("fsync-floor-" + UUID.randomUUID() + ".tmp");
        ByteBuffer block = ByteBuffer.allocateDirect(BLOCK_BYTES);
        LatencySample sample = new LatencySample(forces);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            for (int i = 0; i < forces; i++) {
                block.clear();
                long t0 = System.nanoTime();
                ch.write(block);
                ch.force(false);
                sample.record(i, System.nanoTime() - t0);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return sample;
    }
}
