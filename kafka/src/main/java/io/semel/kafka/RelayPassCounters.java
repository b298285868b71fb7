package io.semel.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The running sums behind {@link RelayPassStats}. Written by the relay thread only (single writer), read from any
 * thread: plain atomics, no lock.
 */
final class RelayPassCounters {
    final AtomicLong passes = new AtomicLong();
    final AtomicLong emptyPasses = new AtomicLong();
    final AtomicLong rows = new AtomicLong();
    final AtomicLong readNanos = new AtomicLong();
    final AtomicLong kafkaNanos = new AtomicLong();
    final AtomicLong markNanos = new AtomicLong();
    final AtomicLong idleNanos = new AtomicLong();

    RelayPassStats snapshot() {
        return new RelayPassStats(passes.get(), emptyPasses.get(), rows.get(), readNanos.get(), kafkaNanos.get(),
                markNanos.get(), idleNanos.get());
    }
}
