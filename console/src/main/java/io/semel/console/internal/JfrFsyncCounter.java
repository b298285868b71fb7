package io.semel.console.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the broker's fsyncs without touching the broker: the JDK's own flight recorder emits a
 * {@code jdk.FileForce} event for every {@code FileChannel.force}; this streams those events in the
 * broker's process and keeps the ones on files under the data directory. Events arrive in chunks
 * about once a second, so the chart lags by up to a second. When the recorder cannot start (a JVM
 * without JFR) the counters stay unavailable (-1) and the console says so.
 *
 * <p>Thread-safe: the recorder's thread adds, any thread reads.
 */
final class JfrFsyncCounter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JfrFsyncCounter.class);
    private static final String EVENT = "jdk.FileForce";
    /** Events older than this are dropped from the recorder's buffer: only counters are kept. */
    private static final Duration RECORDER_MAX_AGE = Duration.ofSeconds(30);

    private final String dataDir;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong nanosTotal = new AtomicLong();
    private final AtomicLong nanosMax = new AtomicLong();
    private final RecordingStream stream;

    JfrFsyncCounter(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize().toString();
        RecordingStream s = null;
        try {
            s = new RecordingStream();
            s.enable(EVENT).withThreshold(Duration.ZERO);
            s.setMaxAge(RECORDER_MAX_AGE);
            s.onEvent(EVENT, this::onForce);
            s.startAsync();
        } catch (RuntimeException | Error e) {
            LOG.warn("fsync chart unavailable: the JDK flight recorder did not start ({})", e.toString());
            if (s != null) {
                s.close();
            }
            s = null;
        }
        this.stream = s;
    }

    private void onForce(RecordedEvent e) {
        String path = e.getString("path");
        if (path == null || !Path.of(path).toAbsolutePath().normalize().toString().startsWith(dataDir)) {
            return;
        }
        long nanos = e.getDuration().toNanos();
        count.incrementAndGet();
        nanosTotal.addAndGet(nanos);
        nanosMax.accumulateAndGet(nanos, Math::max);
    }

    boolean available() {
        return stream != null;
    }

    long count() {
        return available() ? count.get() : -1;
    }

    long nanosTotal() {
        return available() ? nanosTotal.get() : -1;
    }

    /** The longest fsync since the last call. */
    long takeNanosMax() {
        return available() ? nanosMax.getAndSet(0) : -1;
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
    }
}
