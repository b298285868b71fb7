package io.semel.spring;

/**
 * {@code semel.relay.*}: the outbox relay that publishes what handlers sent with {@code tx.send}.
 * One relay per store; it runs while the application runs and stops after the processors.
 */
public class RelaySettings {
    /** Whether the outbox relay runs in this application. */
    private boolean enabled = true;

    /** Where the relay publishes: SEMEL or KAFKA; default: the same as semel.source. */
    private SemelProperties.SourceKind target;

    /** The relay's durable producer name (its broker sequences live under it); keep it stable across restarts. */
    private String relayName = "semel-outbox-relay";

    /** Outbox rows per relay pass. */
    private int relayBatchMax = 500;

    /** Wait after a pass that found nothing to send, ms. */
    private long pollIntervalMs = 50;

    /** First wait after a relay error, ms; doubles up to backoff-max-ms. */
    private long backoffMs = 100;

    /** Cap of the relay's error backoff, ms. */
    private long backoffMaxMs = 5_000;

    /** Semel target: how long one pass waits for the broker's confirmations, ms. */
    private long sendTimeoutMs = 60_000;

    /** The target, defaulting to the source. */
    public SemelProperties.SourceKind targetOr(SemelProperties.SourceKind source) {
        return target == null ? source : target;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public SemelProperties.SourceKind getTarget() {
        return target;
    }

    public void setTarget(SemelProperties.SourceKind target) {
        this.target = target;
    }

    public String getRelayName() {
        return relayName;
    }

    public void setRelayName(String relayName) {
        this.relayName = relayName;
    }

    public int getRelayBatchMax() {
        return relayBatchMax;
    }

    public void setRelayBatchMax(int relayBatchMax) {
        this.relayBatchMax = relayBatchMax;
    }

    public long getPollIntervalMs() {
        return pollIntervalMs;
    }

    public void setPollIntervalMs(long pollIntervalMs) {
        this.pollIntervalMs = pollIntervalMs;
    }

    public long getBackoffMs() {
        return backoffMs;
    }

    public void setBackoffMs(long backoffMs) {
        this.backoffMs = backoffMs;
    }

    public long getBackoffMaxMs() {
        return backoffMaxMs;
    }

    public void setBackoffMaxMs(long backoffMaxMs) {
        this.backoffMaxMs = backoffMaxMs;
    }

    public long getSendTimeoutMs() {
        return sendTimeoutMs;
    }

    public void setSendTimeoutMs(long sendTimeoutMs) {
        this.sendTimeoutMs = sendTimeoutMs;
    }
}
