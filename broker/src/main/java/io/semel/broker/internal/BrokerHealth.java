package io.semel.broker.internal;

import io.semel.metrics.MetricsEndpoint;

/**
 * Where a broker is in its life, for {@code /health/ready}, and what the metrics refresh reads
 * (topics and coordinator appear as start-up opens them). Transitions, in this order only:
 *
 * <pre>
 *   OPENING ──lock taken──▶ RECOVERING ──topics and groups recovered, port bound──▶ SERVING
 *      │                        │                                                    │
 *      └────────────────────────┴──────────── close() or a failed start ─────────────┴──▶ STOPPING
 * </pre>
 *
 * Ready means SERVING: storage opened, recovery done, the port accepting. Thread-safe: volatile
 * fields written by the starting (then closing) thread, read by the metrics endpoint's thread.
 */
public final class BrokerHealth {
    /** The broker's phase; see the class comment for the transitions. */
    public enum Phase { OPENING, RECOVERING, SERVING, STOPPING }

    private final BrokerMetrics metrics;
    private volatile Phase phase = Phase.OPENING;
    private volatile TopicManager topics;
    private volatile GroupCoordinator coordinator;

    public BrokerHealth(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    public void recovering() {
        move(Phase.OPENING, Phase.RECOVERING);
    }

    public void serving() {
        move(Phase.RECOVERING, Phase.SERVING);
    }

    /** From any phase: the broker is closing or failed to start. */
    public void stopping() {
        phase = Phase.STOPPING;
    }

    private void move(Phase from, Phase to) {
        if (phase != from) {
            throw new IllegalStateException("broker phase " + phase + " cannot become " + to + " (only " + from
                    + " can)");
        }
        phase = to;
    }

    public Phase phase() {
        return phase;
    }

    public void topics(TopicManager t) {
        topics = t;
    }

    public void coordinator(GroupCoordinator c) {
        coordinator = c;
    }

    /** What {@code /health/ready} answers. */
    public MetricsEndpoint.Health health() {
        return switch (phase) {
            case OPENING -> MetricsEndpoint.Health.notReady("opening the data directory");
            case RECOVERING -> MetricsEndpoint.Health.notReady("recovering topics and consumer groups");
            case SERVING -> MetricsEndpoint.Health.ready("serving");
            case STOPPING -> MetricsEndpoint.Health.notReady("shutting down");
        };
    }

    /** Updates the gauges computed on demand; before each scrape, on the endpoint's thread. */
    public void refresh() {
        TopicManager t = topics;
        if (t != null && phase == Phase.SERVING) {
            metrics.refresh(t, coordinator);
        }
    }
}
