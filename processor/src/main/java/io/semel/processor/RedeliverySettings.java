package io.semel.processor;

/**
 * The source broker's group redelivery settings, as configured on the broker (it does not report
 * them to consumers, so they are passed in). Defaults match the broker's ({@code docs/consumer-groups.md}).
 *
 * @param ackTimeoutMs a delivery not acked within this is redelivered
 * @param maxDeliveries deliveries before the message is dead-lettered
 * @param nackBackoffMaxMs the cap of the nack backoff
 */
public record RedeliverySettings(long ackTimeoutMs, int maxDeliveries, long nackBackoffMaxMs) {

    public RedeliverySettings {
        if (ackTimeoutMs <= 0 || maxDeliveries < 1 || nackBackoffMaxMs < 0) {
            throw new IllegalArgumentException("ackTimeoutMs must be > 0 (was " + ackTimeoutMs
                    + "), maxDeliveries >= 1 (was " + maxDeliveries + "), nackBackoffMaxMs >= 0 (was "
                    + nackBackoffMaxMs + ")");
        }
    }

    /** The broker's defaults: ackTimeoutMs 30,000, maxDeliveries 5, nackBackoffMaxMs 10,000. */
    public static RedeliverySettings brokerDefaults() {
        return new RedeliverySettings(30_000, 5, 10_000);
    }

    /**
     * Upper bound of the time from a first delivery to the last possible redelivery, while the broker
     * runs: each of {@code maxDeliveries} deliveries ends by ack timeout or by a nack (before the ack
     * timeout) followed by at most the backoff cap. Lease moves and broker restarts make redeliveries
     * due sooner, not later; broker downtime is not included (see {@code docs/processor.md}).
     */
    public long redeliveryHorizonMs() {
        return Math.multiplyExact(maxDeliveries, Math.addExact(ackTimeoutMs, nackBackoffMaxMs));
    }
}
