package io.semel.cli;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a bench runs: a remote broker ({@code --broker}) or, by default, a broker embedded in this
 * process on a temporary data directory (deleted afterwards) or {@code --data-dir}. Also the topic
 * (given or a fresh {@code bench-<random>}) and the optional raw-fsync probe. Not thread-safe.
 */
final class BenchTarget implements AutoCloseable {
    /** How long {@code --fsync-probe} appends and forces. */
    static final long FSYNC_PROBE_MS = 3_000;
    private static final int FSYNC_PROBE_BLOCK_BYTES = 4096;

    @Option(names = "--broker", paramLabel = "HOST:PORT",
            description = "Benchmark this broker; without it an embedded broker runs in this process.")
    String broker;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Embedded broker's data dir (default: a temporary dir, deleted after the run).")
    Path dataDir;

    @Option(names = "--flush-interval-ms", paramLabel = "MS",
            description = "Embedded broker's flush policy: 0 = fsync before confirm (default), N = fsync every N ms.")
    long flushIntervalMs;

    @Option(names = "--topic", paramLabel = "NAME", description = "Use this existing topic instead of creating bench-<random>.")
    String topic;

    /** TLS and credentials for a secured --broker (docs/security.md); the embedded broker is plain. */
    @Mixin
    SecurityOptions security = new SecurityOptions();

    @Option(names = "--fsync-probe",
            description = "Also measure the raw fsync rate: 3 s of 4 KiB append + force in the data dir (embedded only).")
    boolean fsyncProbe;

    private Broker embedded;
    /** The embedded broker's meters, read for the group-commit line. */
    private SimpleMeterRegistry meters;
    private Path tempDir;
    private Thread cleanup;
    private boolean closed;

    /** Starts the embedded broker when no --broker was given; returns the bootstrap address. */
    String start() throws IOException {
        if (broker != null) {
            if (dataDir != null || flushIntervalMs != 0 || fsyncProbe) {
                throw new IllegalArgumentException("--data-dir, --flush-interval-ms and --fsync-probe apply to the "
                        + "embedded broker only; leave out --broker to use it");
            }
            return broker;
        }
        if (security.any()) {
            throw new IllegalArgumentException("--tls-ca, --user and the other security options apply to a remote "
                    + "--broker; the embedded broker runs without security");
        }
        Path dir = dataDir;
        if (dir == null) {
            tempDir = Files.createTempDirectory("semel-bench-");
            dir = tempDir;
            // Ctrl-C skips the command's own close(): without this the temporary data dir stays behind.
            cleanup = new Thread(this::closeQuietly, "semel-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
        // Given at the start, not added after it: a registry added later misses what the start recorded.
        meters = new SimpleMeterRegistry();
        embedded = Broker.start(BrokerConfig.builder(dir).port(0).flushIntervalMs(flushIntervalMs).build(), meters);
        return embedded.host() + ":" + embedded.port();
    }

    /** The topic to use: --topic, or a new one with {@code partitions} partitions. */
    String topic(Admin admin, int partitions) {
        if (topic != null) {
            admin.describeTopic(topic); // must exist
            return topic;
        }
        String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        admin.createTopic(name, partitions);
        return name;
    }

    /** The durability figures were measured under. */
    String durability() {
        if (embedded == null) {
            return "as configured on broker " + broker + " (not visible over the wire)";
        }
        return flushIntervalMs == 0 ? "fsync-before-confirm" : "fsync-every-" + flushIntervalMs + "ms";
    }

    String brokerDescription() {
        return embedded == null ? "remote " + broker : "embedded in-process, data dir " + dataDirUsed();
    }

    /** The embedded broker's data dir; null for a remote --broker. */
    Path dataDirUsed() {
        return dataDir != null ? dataDir : tempDir;
    }

    /**
     * The embedded broker's group commit over the run so far: forces, batches (appends) and batches
     * per force, from its {@code semel.log.*} meters; null for a remote broker.
     */
    String groupCommitSummary() {
        if (meters == null) {
            return null;
        }
        Timer fsync = meters.find("semel.log.fsync").timer();
        DistributionSummary appends = meters.find("semel.log.round.appends").summary();
        if (fsync == null || appends == null || appends.count() == 0) {
            return "group commit: no forces recorded";
        }
        return String.format("group commit: %,d forces, %,d batches in %,d rounds: %.2f batches per round, "
                + "mean force %.2f ms", fsync.count(), (long) appends.totalAmount(), appends.count(),
                appends.totalAmount() / appends.count(), fsync.mean(TimeUnit.MILLISECONDS));
    }

    /** Runs the probe when asked; returns raw fsyncs per second, or -1. */
    double probeFsync(PrintWriter out) throws IOException {
        if (!fsyncProbe) {
            return -1;
        }
        Path file = dataDirUsed().resolve("fsync-probe-" + UUID.randomUUID() + ".tmp");
        ByteBuffer block = ByteBuffer.allocateDirect(FSYNC_PROBE_BLOCK_BYTES);
        long forces = 0;
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (System.nanoTime() - start < FSYNC_PROBE_MS * 1_000_000L) {
                block.clear();
                ch.write(block);
                ch.force(false);
                forces++;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        double perSecond = forces / ((System.nanoTime() - start) / 1e9);
        out.printf("fsync probe: 4 KiB append + force(false), 1 thread, %.0f ms: %.0f fsyncs/s (%.2f ms each) in %s%n",
                (double) FSYNC_PROBE_MS, perSecond, 1000 / perSecond, dataDirUsed());
        return perSecond;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            System.err.println("semel: warning: could not delete " + tempDir + ": " + Semel.oneLine(e));
        }
    }

    /** Stops the embedded broker and deletes a temporary data dir; safe more than once and from the hook. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (cleanup != null && Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // The JVM is shutting down; the hook will find this closed.
            }
        }
        if (embedded != null) {
            embedded.close();
        }
        if (tempDir != null) {
            try (Stream<Path> files = Files.walk(tempDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
