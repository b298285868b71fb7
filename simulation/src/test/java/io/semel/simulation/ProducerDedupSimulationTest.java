package io.semel.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The seeded simulation of producer + broker dedup (see {@link Simulation}). By default a CI-sized
 * sweep; {@code -Dsim.seeds=N -Dsim.steps=M -Dsim.firstSeed=S} runs a longer one, and
 * {@code -Dsim.seed=X} replays one seed (see docs/simulation.md).
 */
class ProducerDedupSimulationTest {
    private static long property(String name, long fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
    }

    @Test
    void everySeedKeepsExactlyOnce() {
        long steps = property("sim.steps", 150_000);
        long single = property("sim.seed", -1);
        long first = single >= 0 ? single : property("sim.firstSeed", 1);
        long seeds = single >= 0 ? 1 : property("sim.seeds", 20);
        long totalSteps = 0;
        long totalSends = 0;
        long totalFaults = 0;
        long lossRuns = 0;
        long stops = 0;
        long staleInitFences = 0;
        boolean keepGoing = Boolean.parseBoolean(System.getProperty("sim.keepGoing", "false"));
        // On by default: about one run in six evicts producer state (-Dsim.dedupLoss=false turns that off).
        boolean dedupLoss = Boolean.parseBoolean(System.getProperty("sim.dedupLoss", "true"));
        // Off by default: a producer fenced by a stale INIT_PRODUCER of its own name is a protocol gap
        // (docs/simulation.md); the sweep counts those stops and fails only with this set.
        boolean strictInit = Boolean.parseBoolean(System.getProperty("sim.strictInit", "false"));
        boolean restarts = Boolean.parseBoolean(System.getProperty("sim.restarts", "true"));
        java.util.List<String> failures = new java.util.ArrayList<>();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            Simulation.Result r;
            try {
                r = new Simulation(seed, steps, dedupLoss, strictInit, restarts).run();
            } catch (Simulation.Failure f) {
                if (!keepGoing) {
                    throw f;
                }
                failures.add(f.getMessage());
                System.out.println("FAILED after " + totalSteps + " steps of earlier seeds: " + f.getMessage());
                continue;
            }
            totalSteps += r.steps();
            totalSends += r.stats().sends;
            stops += r.stats().producerStops;
            staleInitFences += r.stats().staleInitFences;
            lossRuns += r.config().startsWith("DEDUP-STATE-LOSS") ? 1 : 0;
            totalFaults += r.crashes() + r.storageFailures() + r.stats().requestsDropped + r.stats().repliesDropped
                    + r.stats().replays + r.stats().staleArrivals;
            if (single >= 0 || seeds <= 4) {
                System.out.println("seed " + seed + ": " + r.steps() + " steps, " + r.simulatedMs() + " simulated ms, "
                        + r.crashes() + " crashes, " + r.storageFailures() + " fsync failures, " + r.stats()
                        + "\n  " + r.config());
            }
            assertThat(r.stats().confirmed).as("seed %d confirmed something", seed).isPositive();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStarted) / 1e9;
        System.out.printf("simulation: %d seeds from %d, %d steps, %d sends, %d injected faults in %.1f s "
                + "(%.0f steps/s; %.1f s CPU of this thread, %.0f steps per CPU second); %d runs with dedup state "
                + "loss; %d producer stops, %d of them by a stale INIT_PRODUCER the instance token cannot recognise; %d seeds "
                + "failed%n", seeds, first, totalSteps, totalSends, totalFaults, seconds, totalSteps / seconds,
                cpuSeconds, totalSteps / cpuSeconds, lossRuns, stops, staleInitFences, failures.size());
        assertThat(failures).as("failed seeds (sim.keepGoing)").isEmpty();
    }
}
