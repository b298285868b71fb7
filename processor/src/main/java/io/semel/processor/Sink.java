package io.semel.processor;

import io.semel.protocol.Header;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where messages are published. {@link SemelSink} is the Semel implementation. Thread-safe.
 *
 * <p>The future completes when the sink confirmed the message and fails when it did not (or the
 * outcome is unknown); see the implementation for which exceptions.
 */
public interface Sink extends AutoCloseable {

    CompletableFuture<Void> send(String topic, byte[] key, byte[] value, List<Header> headers);

    @Override
    void close();
}
