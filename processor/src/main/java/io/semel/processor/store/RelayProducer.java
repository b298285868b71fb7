package io.semel.processor.store;

import java.util.Objects;

/**
 * The outbox relay's durable producer identity, so broker-side sequence dedup survives relay restarts.
 *
 * <p>Since schema v2 broker sequences are per {@code (topic, partition)} and live in
 * {@code semel_relay_sequence} ({@link RelaySequence}); this row records the identity the broker
 * issued (producer id, epoch at the last INIT_PRODUCER) for operators and checks.
 *
 * @param nextSequence the outbox id after the highest row the relay has marked sent (its read cursor;
 *     not a broker sequence)
 */
public record RelayProducer(String relayName, long producerId, int epoch, long nextSequence) {
    public RelayProducer {
        Objects.requireNonNull(relayName, "relayName");
    }
}
