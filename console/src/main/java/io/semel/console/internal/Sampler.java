package io.semel.console.internal;

import io.semel.console.BrokerCounters;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code console-sampler} thread: reads the counters every {@code intervalMs} into the ring. A
 * failed reading (broker busy or closing) is skipped, and the next rate spans the gap. Thread-safe.
 */
public final class Sampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    private final ScheduledExecutorService thread;

    private Sampler(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    public static Sampler start(BrokerCounters counters, SampleRing ring, Clock clock, long intervalMs) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "console-sampler");
            th.setDaemon(true);
            return th;
        });
        t.scheduleAtFixedRate(() -> {
            try {
                ring.add(clock.millis(), counters.read());
            } catch (RuntimeException e) {
                LOG.debug("console sample skipped: {}", e.toString());
            }
        }, 0, intervalMs, TimeUnit.MILLISECONDS);
        return new Sampler(t);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
