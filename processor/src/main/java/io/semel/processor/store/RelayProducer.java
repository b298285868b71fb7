package io.semel.processor.store;

import java.util.Objects;

/**
 * The outbox relay's durable producer identity, so broker-side sequence dedup survives relay restarts.
 *
 * @param nextSequence the next sequence number the relay will send (the next outbox id to publish)
 */
public record RelayProducer(String relayName, long producerId, int epoch, long nextSequence) {
    public RelayProducer {
        Objects.requireNonNull(relayName, "relayName");
    }
}
