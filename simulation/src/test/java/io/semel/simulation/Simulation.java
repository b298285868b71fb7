package io.semel.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One seeded run: producers (the client's real sending core) against the broker's real dedup and
 * log over simulated storage, through a faulty simulated network, for a number of scheduler steps;
 * then every fault is healed, the producers drain, the broker crashes one last time and recovers,
 * and the log is checked against what every caller was told. The invariants are also checked after
 * every recovery during the run, so a failure names the earliest step at which it was visible.
 *
 * <p>Deterministic: every random choice comes from the seed, time is simulated, there are no
 * threads. The same seed and step count replay the same run.
 */
final class Simulation {
    /** Steps the final phase may take to let producers settle, as a multiple of the run's steps. */
    private static final int DRAIN_STEPS_FACTOR = 1;
    /** Simulated time the final phase waits for producers to settle, ms. */
    private static final long DRAIN_TIME_MS = 60_000;

    /** What a run did. */
    record Result(long seed, long steps, long simulatedMs, SimStats stats, long crashes, long storageFailures,
            long tornBytes, String config) {
    }

    /** A broken invariant, with what is needed to replay it. */
    static final class Failure extends AssertionError {
        private static final long serialVersionUID = 1L;

        Failure(long seed, long step, long steps, String config, List<String> violations) {
            super("simulation seed " + seed + " broke exactly-once at step " + step + " (of " + steps + "):\n  "
                    + String.join("\n  ", violations.subList(0, Math.min(10, violations.size())))
                    + (violations.size() > 10 ? "\n  ... " + (violations.size() - 10) + " more" : "")
                    + "\n  config: " + config
                    + "\n  replay: mvn -B -pl simulation -am verify -Dtest=ProducerDedupSimulationTest "
                    + "-Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed + " -Dsim.steps=" + steps
                    + (violations.get(0).contains("PRODUCER_FENCED") ? " -Dsim.strictInit=true" : ""));
        }
    }

    private final long seed;
    private final long steps;
    private final boolean strictInit;
    /** Keep running after a violation and report every one, with the first step of each kind. */
    private final boolean reportAll = Boolean.getBoolean("sim.reportAll");
    private final List<String> collected = new ArrayList<>();
    private final java.util.Map<String, Long> firstStepByKind = new java.util.TreeMap<>();
    private final SplittableRandom random;
    private final SimConfig config;
    /** The config as drawn, before the final phase healed it. */
    private final String configText;
    private final SimClock clock = new SimClock();
    private final Scheduler scheduler = new Scheduler(clock);
    private final SimStats stats = new SimStats();
    private final SimHistory history = new SimHistory();
    private final SimBroker broker;
    private final SimChecker checker;
    private final List<SimProducer> producers = new ArrayList<>();

    Simulation(long seed, long steps) {
        this(seed, steps, false, false, true);
    }

    /**
     * @param dedupLossRuns let about one seed in six run with broker dedup state loss (evictions)
     * @param strictInit a producer fenced by a stale INIT_PRODUCER of its own name fails the run
     *     (otherwise it is counted: a known protocol gap, see docs/simulation.md)
     * @param restartRuns let about half the seeds restart producers
     */
    Simulation(long seed, long steps, boolean dedupLossRuns, boolean strictInit, boolean restartRuns) {
        this.strictInit = strictInit;
        this.seed = seed;
        this.steps = steps;
        this.random = new SplittableRandom(seed);
        this.config = new SimConfig(seed, random.split(), dedupLossRuns, restartRuns);
        this.configText = config.toString();
        this.broker = new SimBroker(scheduler, clock, random.split(), config);
        this.checker = new SimChecker(config.partitions);
        for (int i = 0; i < config.producers; i++) {
            producers.add(new SimProducer(i, scheduler, clock, config, broker, random.split(), history, stats));
        }
    }

    Result run() {
        broker.start();
        producers.forEach(p -> scheduler.after(0, p::sendLoop));
        scheduler.after(config.nextCrashDelayNanos(random), this::crash);
        if (config.producerRestarts) {
            producers.forEach(p -> scheduler.after(config.nextRestartDelayNanos(random), () -> restart(p)));
        }
        while (scheduler.steps() < steps && scheduler.step()) {
            // all work happens in events
        }
        config.heal();
        producers.forEach(SimProducer::stopSending);
        long drainUntilStep = scheduler.steps() + steps * DRAIN_STEPS_FACTOR;
        long drainUntilNanos = clock.nanoTime() + DRAIN_TIME_MS * 1_000_000L;
        while (!settled() && scheduler.steps() < drainUntilStep && clock.nanoTime() < drainUntilNanos
                && scheduler.step()) {
            // the healed network lets every batch resolve
        }
        // Power loss after the last confirmation: whatever was confirmed must survive it.
        if (broker.up()) {
            broker.crash();
            producers.forEach(SimProducer::brokerCrashed);
        }
        broker.start();
        verify();
        if (!collected.isEmpty()) {
            List<String> all = new ArrayList<>();
            all.add("first step by kind: " + firstStepByKind);
            all.addAll(collected);
            fail(all);
        }
        for (SimProducer p : producers) {
            if (p.stopped() == null) {
                continue;
            }
            // A stop is the loud failure owed when the broker lost a producer's dedup state; nothing else.
            io.semel.protocol.ErrorCode code = p.stopped().errorCode();
            boolean stateLost = config.dedupStateLoss && code == io.semel.protocol.ErrorCode.DEDUP_STATE_UNKNOWN;
            // No second instance of a name ever runs here, and a joined instance sends no INIT_PRODUCER:
            // an epoch above it comes from a stale INIT_PRODUCER (its own lost one, or a closed
            // predecessor's) that reached the broker late. A protocol gap (docs/simulation.md).
            boolean staleInit = code == io.semel.protocol.ErrorCode.PRODUCER_FENCED;
            if (staleInit) {
                stats.staleInitFences++;
            }
            if (!stateLost && !(staleInit && !strictInit)) {
                fail(List.of("a producer stopped although the broker's dedup state was not lost: "
                        + p.stopped().getMessage()));
            }
        }
        return new Result(seed, scheduler.steps(), clock.nanoTime() / 1_000_000, stats, broker.crashes(),
                broker.storageFailures(), broker.tornBytes(), configText);
    }

    private boolean settled() {
        for (SimProducer p : producers) {
            if (p.outstanding() > 0 && p.stopped() == null) {
                return false;
            }
        }
        return true;
    }

    private void crash() {
        if (!config.crashes || !broker.up()) {
            return;
        }
        broker.crash();
        producers.forEach(SimProducer::brokerCrashed);
        scheduler.after(config.downtimeNanos(random), () -> {
            broker.start();
            verify();
            scheduler.after(config.nextCrashDelayNanos(random), this::crash);
        });
    }

    private void restart(SimProducer p) {
        if (!config.producerRestarts) {
            return; // healed
        }
        p.restart();
        scheduler.after(config.nextRestartDelayNanos(random), () -> restart(p));
    }

    private void verify() {
        List<String> violations = checker.check(broker, history);
        if (violations.isEmpty()) {
            return;
        }
        if (!reportAll) {
            fail(violations);
        }
        for (String v : violations) {
            String kind = v.startsWith("DUPLICATE") ? "DUPLICATE" : v.startsWith("LOST") ? "LOST"
                    : v.contains("failed definitely") ? "FAILED-BUT-IN-LOG" : "OTHER";
            firstStepByKind.putIfAbsent(kind, scheduler.steps());
            collected.add("step " + scheduler.steps() + ": " + v);
        }
    }

    private void fail(List<String> violations) {
        throw new Failure(seed, scheduler.steps(), steps, configText, violations);
    }
}
