package io.semel.broker.internal;

import io.semel.log.producer.ProducerRegistry;
import java.util.concurrent.CompletableFuture;

/** A {@link DeadLetterCopier.Admin} for coordinator tests that make no dead letters: every call fails. */
final class NoDeadLetters implements DeadLetterCopier.Admin {
    @Override
    public CompletableFuture<ProducerRegistry.InitResult> initProducer(String name) {
        return CompletableFuture.failedFuture(new IllegalStateException("no dead letters in this test"));
    }

    @Override
    public CompletableFuture<Void> ensureTopic(String name) {
        return CompletableFuture.failedFuture(new IllegalStateException("no dead letters in this test"));
    }
}
