package io.semel.processor.store;

import java.util.Objects;

/**
 * The relay's sequence counter for one {@code (topic, partition)} (table {@code semel_relay_sequence}).
 * It survives outbox retention, so a sequence is never handed out twice even after the rows that
 * carried it are deleted.
 *
 * @param relayName the relay that assigned these sequences (one relay per store)
 * @param nextSequence the sequence the next assigned row gets (highest assigned + 1)
 * @param highestSentSequence the highest sequence among stored rows marked sent, or -1 when none is
 *     stored (none sent yet, or all removed by retention). The broker confirmed these rows, so its
 *     highest persisted sequence must be at least this
 */
public record RelaySequence(String topic, int partition, String relayName, long nextSequence,
        long highestSentSequence) {
    public RelaySequence {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(relayName, "relayName");
    }
}
