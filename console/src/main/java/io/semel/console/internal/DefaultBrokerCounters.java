package io.semel.console.internal;

import io.semel.console.BrokerCounters;
import java.nio.file.Path;

/**
 * Counters the console can read without broker metrics: records appended (the sum of every
 * partition's end offset, read on the partition writers) and fsyncs of files under the data
 * directory ({@link JfrFsyncCounter}). Thread-safe.
 */
public final class DefaultBrokerCounters implements BrokerCounters {
    private final BrokerView view;
    private final JfrFsyncCounter fsyncs;

    public DefaultBrokerCounters(BrokerView view, Path dataDir) {
        this.view = view;
        this.fsyncs = new JfrFsyncCounter(dataDir);
    }

    @Override
    public Counters read() {
        return new Counters(view.recordsAppended(), fsyncs.count(), fsyncs.nanosTotal(), fsyncs.takeNanosMax());
    }

    /** Whether fsyncs are counted (the flight recorder started). */
    public boolean fsyncAvailable() {
        return fsyncs.available();
    }

    @Override
    public void close() {
        fsyncs.close();
    }
}
