package io.semel.processor;

import java.time.Duration;
import java.util.List;

/** A {@link Source} that forwards everything; tests override one method to inject a fault. */
class ForwardingSource implements Source {
    final Source delegate;

    ForwardingSource(Source delegate) {
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
    public void close() {
        delegate.close();
    }
}
