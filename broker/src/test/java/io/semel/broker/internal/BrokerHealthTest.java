package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.semel.metrics.MetricsEndpoint;
import org.junit.jupiter.api.Test;

/** Readiness through the broker's life: only SERVING is ready (the endpoint answers 503 otherwise). */
class BrokerHealthTest {
    @Test
    void onlyAServingBrokerIsReadyAndThePhasesMoveInOrder() {
        BrokerHealth health = new BrokerHealth(new BrokerMetrics(new SimpleMeterRegistry()));
        assertThat(health.health()).isEqualTo(MetricsEndpoint.Health.notReady("opening the data directory"));
        assertThatThrownBy(health::serving).isInstanceOf(IllegalStateException.class)
                .hasMessage("broker phase OPENING cannot become SERVING (only RECOVERING can)");

        health.recovering();
        assertThat(health.health())
                .isEqualTo(MetricsEndpoint.Health.notReady("recovering topics and consumer groups"));

        health.serving();
        assertThat(health.health()).isEqualTo(MetricsEndpoint.Health.ready("serving"));
        assertThatThrownBy(health::recovering).isInstanceOf(IllegalStateException.class);

        health.stopping();
        assertThat(health.health()).isEqualTo(MetricsEndpoint.Health.notReady("shutting down"));
    }
}
