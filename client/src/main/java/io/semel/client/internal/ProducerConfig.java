package io.semel.client.internal;

import io.semel.client.DeliveryGuarantee;

/** A producer's settings, validated by {@code Producer.Builder}. Immutable. */
public record ProducerConfig(ConnectionSettings connection, String name, boolean durable,
        DeliveryGuarantee guarantee, int batchBytesMax, long lingerMs, int inFlightBatchesMax,
        int bufferedRecordsMax, long maxBlockMs, long retryBackoffMs, long retryBackoffMaxMs,
        long deliveryTimeoutMs) {

    public boolean idempotent() {
        return guarantee == DeliveryGuarantee.EXACTLY_ONCE;
    }

    public boolean retries() {
        return guarantee != DeliveryGuarantee.AT_MOST_ONCE;
    }
}
