package io.semel.processor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Holds the first non-empty polled batch until {@link #release} opens: a member stalled past its
 * lease. Shared by {@link ProcessorContractTest}, {@link SourceContractTest} and the Kafka module's tests.
 */
public final class PausingSource extends ForwardingSource {
    public final CountDownLatch holding = new CountDownLatch(1);
    public final CountDownLatch release = new CountDownLatch(1);

    public PausingSource(Source delegate) {
        super(delegate);
    }

    public Source delegate() {
        return delegate;
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        List<SourceMessage> got = super.poll(timeout);
        if (!got.isEmpty() && holding.getCount() > 0) {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return got;
    }
}
