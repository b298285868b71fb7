package io.semel.client.internal;

import io.semel.client.DeliveryGuarantee;

/**
 * A producer's settings, validated by {@code Producer.Builder}. Immutable.
 *
 * @param releaseOnClose send RELEASE_PRODUCER on close, so a one-shot producer frees its name's
 *     registration at once instead of holding it until the broker's idle expiry
 */
public record ProducerConfig(ConnectionSettings connection, String name, boolean durable,
        DeliveryGuarantee guarantee, int batchBytesMax, long lingerMs, int inFlightBatchesMax,
        int bufferedRecordsMax, long maxBlockMs, long retryBackoffMs, long retryBackoffMaxMs,
        long deliveryTimeoutMs, boolean releaseOnClose) {

    /** Keeps its identity registered on close (the default). */
    public ProducerConfig(ConnectionSettings connection, String name, boolean durable, DeliveryGuarantee guarantee,
            int batchBytesMax, long lingerMs, int inFlightBatchesMax, int bufferedRecordsMax, long maxBlockMs,
            long retryBackoffMs, long retryBackoffMaxMs, long deliveryTimeoutMs) {
        this(connection, name, durable, guarantee, batchBytesMax, lingerMs, inFlightBatchesMax, bufferedRecordsMax,
                maxBlockMs, retryBackoffMs, retryBackoffMaxMs, deliveryTimeoutMs, false);
    }

    public boolean idempotent() {
        return guarantee == DeliveryGuarantee.EXACTLY_ONCE;
    }

    public boolean retries() {
        return guarantee != DeliveryGuarantee.AT_MOST_ONCE;
    }
}
