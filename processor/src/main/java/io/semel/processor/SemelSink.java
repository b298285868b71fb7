package io.semel.processor;

import io.semel.client.Producer;
import io.semel.protocol.Header;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Sink} over a Semel {@link Producer}, which it owns ({@link #close()} closes it). The
 * future fails with the producer's {@code DefiniteFailureException} or {@code OutcomeUnknownException}.
 * Thread-safe.
 */
public final class SemelSink implements Sink {
    private final Producer producer;

    public SemelSink(Producer producer) {
        this.producer = Objects.requireNonNull(producer, "producer");
    }

    @Override
    public CompletableFuture<Void> send(String topic, byte[] key, byte[] value, List<Header> headers) {
        return producer.send(topic, key, value, headers).thenApply(r -> null);
    }

    @Override
    public void close() {
        producer.close();
    }
}
