package io.semel.client.internal;

/**
 * The producer's time source, injected so that its decisions (retry backoff, linger, delivery
 * timeout) can be driven by simulated time. {@link #nanoTime} is monotonic, as
 * {@link System#nanoTime}; {@link #wallMillis} stamps batches (the broker uses batch timestamps to
 * pick which idle producer's dedup state to evict).
 */
public interface NanoClock {
    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }
    };

    long nanoTime();

    long wallMillis();
}
