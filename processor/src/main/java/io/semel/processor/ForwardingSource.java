package io.semel.processor;

import java.time.Duration;
import java.util.List;

/**
 * A {@link Source} that forwards every call to another: extend it and override the one call to
 * observe or change (a bench stamping acks, a test dropping them). Thread-safety is the delegate's.
 */
public class ForwardingSource implements Source {
    protected final Source delegate;

    public ForwardingSource(Source delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        return delegate.poll(timeout);
    }

    @Override
    public int ack(List<SourceMessage> messages) {
        return delegate.ack(messages);
    }

    @Override
    public void nack(SourceMessage message, String errorText) {
        delegate.nack(message, errorText);
    }

    @Override
    public long redeliveryHorizonMs() {
        return delegate.redeliveryHorizonMs();
    }

    @Override
    public boolean isLastDelivery(SourceMessage message) {
        return delegate.isLastDelivery(message);
    }

    @Override
    public void bind(String consumer, io.semel.processor.store.JdbcStore store) {
        delegate.bind(consumer, store);
    }

    @Override
    public boolean ordered() {
        return delegate.ordered();
    }

    @Override
    public boolean sequenced() {
        return delegate.sequenced();
    }

    @Override
    public boolean allowsPrefetch() {
        return delegate.allowsPrefetch();
    }

    @Override
    public void onFenced(String topic, int partition) {
        delegate.onFenced(topic, partition);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
