package io.semel.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A seed is a replay: the same seed and step count give the same run, event for event. */
class SimulationDeterminismTest {
    @Test
    void theSameSeedReplaysTheSameRun() {
        Simulation.Result first = new Simulation(7, 60_000).run();
        Simulation.Result again = new Simulation(7, 60_000).run();
        assertThat(again.steps()).isEqualTo(first.steps());
        assertThat(again.simulatedMs()).isEqualTo(first.simulatedMs());
        assertThat(again.stats().toString()).isEqualTo(first.stats().toString());
        assertThat(again.crashes()).isEqualTo(first.crashes());
        assertThat(again.tornBytes()).isEqualTo(first.tornBytes());
        assertThat(again.config()).isEqualTo(first.config());
    }

    @Test
    void anotherSeedIsAnotherRun() {
        assertThat(new Simulation(8, 20_000).run().config()).isNotEqualTo(new Simulation(7, 20_000).run().config());
    }
}
