package io.semel.verify.run;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.PowerCut;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ControlledInstantSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The broker as a child JVM ({@code io.semel.broker.BrokerMain}) on a fixed port, so a restart after a
 * kill keeps the address the proxies forward to. Group settings are short so faults resolve within a
 * short run: a 1.5 s ack timeout, 100 deliveries before dead-lettering (nothing should be lost to the DLQ in a
 * run; a message redelivered that often is a finding in itself), session timeouts from 1 s.
 * Thread-safe as {@link ChildProcess} is.
 */
final class BrokerNode implements Brokers {
    static final int MAX_DELIVERIES = 100;
    static final String READY_PREFIX = "semel broker listening on";
    /** The log module's verify-mode switch ({@code io.semel.log.internal.ForcedLengths.DIR_PROPERTY}). */
    static final String FORCED_LENGTHS_PROPERTY = "semel.verify.forcedLengthsDir";

    /**
     * Small segments, so that a run rolls them under faults: every roll forces a segment, moves the recovery point
     * and writes a producer-state snapshot, and recovery then loads that snapshot and replays only the active
     * segment. With the default 64 MiB a long run keeps one segment per partition, never exercises that path, and
     * every restart replays the whole log (a 50-minute soak on a loaded machine reached 30 s restarts).
     */
    static final int SEGMENT_BYTES = 256 * 1024;

    private final ChildProcess process;
    private final int port;
    private final Path dataDir;
    private final Path forcedLengthsDir;

    private BrokerNode(ChildProcess process, int port, Path dataDir, Path forcedLengthsDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.forcedLengthsDir = forcedLengthsDir;
    }

    static BrokerNode start(Path runDir, VerifyConfig.Failover failover, ProcessListener listener) throws IOException {
        int port = freePort();
        Path dataDir = runDir.resolve("broker-data").toAbsolutePath();
        Files.createDirectories(dataDir);
        Path forced = runDir.resolve("broker-forced-lengths").toAbsolutePath();
        Path config = runDir.resolve("broker.properties");
        Files.write(config, List.of(
                "ackTimeoutMs=" + failover.ackTimeoutMs(),
                "maxDeliveries=" + MAX_DELIVERIES,
                "sessionTimeoutMs=" + failover.sessionTimeoutMs(),
                "sessionTimeoutMinMs=1000",
                "nackBackoffMs=100",
                "nackBackoffMaxMs=1000",
                "groupTickMs=50",
                "shutdownTimeoutMs=2000",
                "segmentBytes=" + SEGMENT_BYTES));
        ChildSpec spec = ChildSpec.of(RunSchedule.BROKER, "io.semel.broker.BrokerMain", runDir, READY_PREFIX)
                .withArgs(List.of("--data-dir", dataDir.toString(), "--port", Integer.toString(port),
                        "--host", "127.0.0.1", "--config", config.toString()))
                .withSystemProperties(java.util.Map.of(FORCED_LENGTHS_PROPERTY, forced.toString(),
                        ControlledInstantSource.OFFSET_FILE_PROPERTY, clockFile(runDir, RunSchedule.BROKER).toString()))
                .withHeapMb(384)
                .withReadyTimeout(Duration.ofSeconds(60));
        return new BrokerNode(ChildProcess.start(spec, listener), port, dataDir, forced);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    ChildProcess process() {
        return process;
    }

    /** Starts it again if it is not running (after a kill); waits for its listening line. */
    void ensureRunning() throws IOException {
        if (!process.isAlive()) {
            process.start();
        }
    }

    /** Ends a pause (SIGCONT); no-op if it is not paused. */
    void resume() throws IOException {
        if (process.isPaused()) {
            process.resume();
        }
    }

    /** Final phase: resume if paused, start if dead. */
    @Override
    public void heal() throws IOException {
        resume();
        ensureRunning();
    }

    /**
     * Power loss: SIGKILL, then every file of the broker's data directory is cut back between its forced length
     * and what was written ({@link PowerCut}). The broker stays down until {@link #ensureRunning()}.
     *
     * @return the cuts, for the run's log
     */
    List<PowerCut.Cut> powerLoss(Random random) throws IOException {
        process.kill();
        if (process.isAlive()) {
            throw new IOException("the broker is still alive after SIGKILL; no power cut on a running process");
        }
        return PowerCut.apply(dataDir, forcedLengthsDir, random);
    }

    @Override
    public boolean isBroker(String target) {
        return target.equals(RunSchedule.BROKER);
    }

    @Override
    public String kill(String target) throws IOException {
        process.kill();
        return RunSchedule.BROKER;
    }

    @Override
    public String pause(String target) throws IOException {
        process.pause();
        return RunSchedule.BROKER;
    }

    @Override
    public void resume(String target) throws IOException {
        resume();
    }

    @Override
    public void ensureRunning(String target) throws IOException {
        ensureRunning();
    }

    @Override
    public List<PowerCut.Cut> powerLoss(String target, Random random) throws IOException {
        return powerLoss(random);
    }

    /** The file holding a child's wall-clock offset in milliseconds (the clock-jump fault writes it). */
    static Path clockFile(Path runDir, String child) {
        return runDir.resolve("clock-offsets").resolve(child + ".ms").toAbsolutePath();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the broker", e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
