package io.semel.verify.run;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The broker as a child JVM ({@code io.semel.broker.BrokerMain}) on a fixed port, so a restart after a
 * kill keeps the address the proxies forward to. Group settings are short so faults resolve within a
 * short run: a 1.5 s ack timeout, 100 deliveries before dead-lettering (nothing should be lost to the DLQ in a
 * run; a message redelivered that often is a finding in itself), session timeouts from 1 s.
 * Thread-safe as {@link ChildProcess} is.
 */
final class BrokerNode implements Closeable {
    static final long ACK_TIMEOUT_MS = 1_500;
    static final int MAX_DELIVERIES = 100;
    static final String READY_PREFIX = "semel broker listening on";

    private final ChildProcess process;
    private final int port;

    private BrokerNode(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static BrokerNode start(Path runDir, ProcessListener listener) throws IOException {
        int port = freePort();
        Path dataDir = runDir.resolve("broker-data");
        Files.createDirectories(dataDir);
        Path config = runDir.resolve("broker.properties");
        Files.write(config, List.of(
                "ackTimeoutMs=" + ACK_TIMEOUT_MS,
                "maxDeliveries=" + MAX_DELIVERIES,
                "sessionTimeoutMs=2000",
                "sessionTimeoutMinMs=1000",
                "nackBackoffMs=100",
                "nackBackoffMaxMs=1000",
                "groupTickMs=50",
                "shutdownTimeoutMs=2000"));
        ChildSpec spec = ChildSpec.of(RunSchedule.BROKER, "io.semel.broker.BrokerMain", runDir, READY_PREFIX)
                .withArgs(List.of("--data-dir", dataDir.toString(), "--port", Integer.toString(port),
                        "--host", "127.0.0.1", "--config", config.toString()))
                .withHeapMb(384)
                .withReadyTimeout(Duration.ofSeconds(60));
        return new BrokerNode(ChildProcess.start(spec, listener), port);
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
