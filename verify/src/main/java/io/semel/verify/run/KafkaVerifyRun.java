package io.semel.verify.run;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.history.EventValue;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.proxy.ProxyListener;
import io.semel.verify.report.InjectedFault;
import io.semel.verify.report.RunHealth;
import io.semel.verify.report.RunSummary;
import io.semel.verify.run.child.KafkaProcessorChild;
import io.semel.verify.run.child.KafkaProducerChild;
import io.semel.verify.schedule.FaultSchedule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One verify run on the Kafka engine (docs/kafka.md, "Verify on Kafka"): the same workload, history, final phase
 * and checker as {@link VerifyRun}, against a three-node KRaft cluster of child JVMs ({@link KafkaCluster}, RF 3,
 * {@code min.insync.replicas=2}), with Kafka idempotent producers ({@link KafkaProducerChild}) and processors
 * running {@code KafkaSource} under the exactly-once processor, or a plain Kafka consumer for the weaker guarantees
 * ({@link KafkaProcessorChild}).
 *
 * <pre>
 *   producer child JVMs p1..pN ──► px-producers-k1..k3 ──┐
 *   harness JVM: nemesis, history writer, event sink     ├──► Kafka nodes k1, k2, k3 (child JVMs; replication and
 *   processor child JVMs c1..cM ─► px-processor-k1..k3 ──┘    the quorum direct, never through a proxy)
 *        └── every child's events (one TCP line each) ──► event sink ──► history.jsonl
 * </pre>
 *
 * A SQLite store serves one processor ({@code KafkaSource} refuses a second instance on one file), so SQLite runs
 * have {@code c1} only and no rebalance storm; PostgreSQL runs have {@link VerifyConfig#processors()} members and a
 * spare ({@value #SPARE}) that the storm makes join and leave.
 *
 * <p>Not thread-safe: {@link #run} once, from one thread.
 */
final class KafkaVerifyRun {
    /** The consumer-group session timeout of the Kafka processors, ms: a zombie is held past it. */
    static final int SESSION_TIMEOUT_MS = 4_000;
    /** A zombie stays stopped at least this long: the session timeout plus time for the group to move on. */
    static final long ZOMBIE_MIN_MS = SESSION_TIMEOUT_MS + 4_000;
    /** Longer than the producers' delivery timeout, so even the idempotent producer sees unknown sends. */
    static final long STALL_MS = KafkaProducerChild.DELIVERY_TIMEOUT_MS + 1_000;
    static final String SPARE = "cs";
    /** The topic the outbox relay publishes each applied message's outgoing copy to. */
    static final String OUTPUT_TOPIC = "verify-accounts-out";
    /** Every relay child of a run uses this relay name; Kafka knows it as transactional id semel-relay-verify. */
    static final String RELAY_NAME = "verify";
    static final String RELAY_TRANSACTIONAL_ID = "semel-relay-" + RELAY_NAME;
    /** How long the final phase waits for the relay to publish the outbox. */
    static final long OUTBOX_DRAIN_WAIT_MS = 120_000;

    private final VerifyConfig cfg;
    private final PostgresServer postgres;

    KafkaVerifyRun(VerifyConfig cfg, PostgresServer postgres) {
        this.cfg = cfg;
        this.postgres = postgres;
    }

    /** The processors of a run: one on SQLite, {@link VerifyConfig#processors()} on PostgreSQL. */
    static List<String> processorNames(VerifyConfig cfg) {
        return cfg.store() == VerifyConfig.StoreKind.SQLITE ? List.of(RunSchedule.PROCESSOR) : cfg.processorNames();
    }

    static FaultSchedule schedule(VerifyConfig cfg) {
        return RunSchedule.planKafka(cfg.seed(), cfg.duration(), cfg.faults(), STALL_MS,
                new RunSchedule.Roster(processorNames(cfg), ProducerFleet.names(cfg)),
                cfg.store() == VerifyConfig.StoreKind.POSTGRES, ZOMBIE_MIN_MS);
    }

    RunResult run(Consumer<String> progress) throws IOException, InterruptedException {
        Path dir = cfg.runDir();
        Files.createDirectories(dir);
        FaultSchedule schedule = schedule(cfg);
        Path historyFile = dir.resolve("history.jsonl");
        int seconds = (int) cfg.duration().toSeconds() + 1;
        long wallStart = System.nanoTime();
        Outcome outcome;
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(dir.resolve("harness.log"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING), true);
                RunHistory history = new RunHistory(historyFile, System::nanoTime,
                        new EventValue.Header(cfg.guarantee(), schedule.scheduledFaults())
                                .withRun(cfg.seed(), cfg.minConfirmed()).withEngine(cfg.engine().wireName()), seconds);
                EventSink sink = EventSink.start(history)) {
            ProcessListener processLog = e -> VerifyRun.logLine(log, "process " + e);
            ProxyListener proxyLog = e -> VerifyRun.logLine(log, "proxy " + e);
            VerifyRun.logLine(log, "engine kafka; schedule " + schedule.faults());
            outcome = runWith(dir, schedule, history, sink, log, processLog, proxyLog, progress);
        }
        // From the file, never the whole history in memory: a soak's would not fit the heap (docs/verify.md).
        // The run's health from the checker's own pass over the file.
        RunHealth.Stops stops = RunHealth.tally();
        CheckResult result = new Checker(new CheckerOptions(cfg.minConfirmed())).check(historyFile, stops);
        RunSummary summary = new RunSummary(cfg.guarantee(), cfg.seed(), Duration.ofNanos(System.nanoTime() - wallStart),
                schedule, result, outcome.perSecond, outcome.injected,
                stops.health(outcome.torn, outcome.tornUnexplained, outcome.rejected)
                        .withOutput(outcome.output.checked(), outcome.output.problems()));
        return new RunResult(summary, historyFile, outcome.torn, outcome.rejected, outcome.starts);
    }

    private record Outcome(List<Long> perSecond, List<InjectedFault> injected, long torn, long tornUnexplained,
            long rejected, int starts, OutputCheck output) {
    }

    /**
     * Waits until the relay published the whole outbox, stops it, then reads the output topic ({@code read_committed},
     * from the start) and compares the outgoing messages with the applied effects ({@link OutputCheck#compare}).
     */
    private OutputCheck checkOutput(KafkaCluster cluster, RunStore store, ProcessorNode relay, PrintWriter log)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + OUTBOX_DRAIN_WAIT_MS * 1_000_000;
        long unsent = -1;
        while (System.nanoTime() < deadline) {
            try {
                unsent = store.unsentOutboxRows();
            } catch (Exception e) {
                VerifyRun.logLine(log, "output check: reading the outbox failed: " + e);
            }
            if (unsent == 0) {
                break;
            }
            Thread.sleep(500);
        }
        relay.stopForGood();
        List<String> applied;
        try {
            applied = store.appliedIdRows();
        } catch (Exception e) {
            List<String> problems = new ArrayList<>();
            if (unsent != 0) {
                problems.add(OutputCheck.unsentProblem(unsent, OUTBOX_DRAIN_WAIT_MS));
            }
            problems.add("cannot read the applied effects: " + e);
            return new OutputCheck(0, problems);
        }
        List<io.semel.verify.history.LogRecord> published = new KafkaLogReader(cluster.internalBootstrap(),
                OUTPUT_TOPIC, cfg.partitions()).drain(new long[cfg.partitions()]);
        return OutputCheck.compare(unsent, OUTBOX_DRAIN_WAIT_MS, applied, published,
                line -> VerifyRun.logLine(log, line));
    }

    private Outcome runWith(Path dir, FaultSchedule schedule, RunHistory history, EventSink sink, PrintWriter log,
            ProcessListener processLog, ProxyListener proxyLog, Consumer<String> progress)
            throws IOException, InterruptedException {
        int seconds = (int) cfg.duration().toSeconds() + 1;
        int starts;
        OutputCheck output = OutputCheck.NONE;
        VerifyRun.logLine(log, "starting the Kafka cluster (3 nodes)");
        try (KafkaCluster cluster = KafkaCluster.start(dir, cfg.seed(), processLog, proxyLog);
                RunStore store = VerifyRun.openStore(cfg, postgres, dir)) {
            VerifyRun.logLine(log, "Kafka cluster up: internal " + cluster.internalBootstrap() + ", producers via "
                    + cluster.producersBootstrap() + ", processors via " + cluster.processorsBootstrap());
            cluster.createTopic(VerifyRun.TOPIC, cfg.partitions());
            cluster.createTopic(OUTPUT_TOPIC, cfg.partitions());
            store.prepare(cfg.accounts());
            List<String> args = new ArrayList<>(List.of("--bootstrap", cluster.processorsBootstrap(),
                    "--topic", VerifyRun.TOPIC, "--group", VerifyRun.GROUP, "--guarantee", cfg.guarantee().wireName(),
                    "--events", "127.0.0.1:" + sink.address().getPort(),
                    "--session-timeout-ms", Integer.toString(SESSION_TIMEOUT_MS), "--outbox-topic", OUTPUT_TOPIC));
            args.addAll(store.childArgs());
            List<String> relayArgs = new ArrayList<>(List.of("--bootstrap", cluster.processorsBootstrap(),
                    "--relay", RELAY_NAME, "--events", "127.0.0.1:" + sink.address().getPort()));
            relayArgs.addAll(store.childArgs());
            Map<String, String> props = Map.of("org.slf4j.simpleLogger.defaultLogLevel", "info");
            Map<String, ProcessorNode> processors = new LinkedHashMap<>();
            for (String name : processorNames(cfg)) {
                processors.put(name, processorNode(name, args, props, dir, sink, history, processLog));
            }
            ProcessorNode spare = cfg.store() == VerifyConfig.StoreKind.POSTGRES
                    ? processorNode(SPARE, args, props, dir, sink, history, processLog) : null;
            ProcessorNode relay = relayNode(RunSchedule.RELAY, relayArgs, props, dir, sink, history, processLog);
            ProcessorNode secondRelay = relayNode(RunSchedule.SECOND_RELAY, relayArgs, props, dir, sink, history,
                    processLog);
            Map<String, ProcessorNode> spares = new LinkedHashMap<>();
            spares.put(RunSchedule.SECOND_RELAY, secondRelay);
            if (spare != null) {
                spares.put(RunSchedule.GROUP, spare);
            }
            Map<String, ProcessorNode> targets = new LinkedHashMap<>(processors);
            targets.put(RunSchedule.RELAY, relay);
            try (ProducerFleet fleet = new ProducerFleet(cfg, KafkaProducerChild.class.getName(),
                    cluster.producersBootstrap(), VerifyRun.TOPIC, dir, sink, history, processLog)) {
                for (ProcessorNode p : processors.values()) {
                    p.start();
                }
                relay.start();
                Map<String, ProxyGroup> proxies = new LinkedHashMap<>();
                proxies.put(RunSchedule.PROXY_PRODUCERS, cluster.producersProxy());
                proxies.put(RunSchedule.PROXY_PROCESSOR, cluster.processorsProxy());
                Nemesis nemesis = new Nemesis(schedule, proxies, cluster, targets, fleet.nodes(), spares, history,
                        cfg.seed(), dir, line -> VerifyRun.logLine(log, line));
                VerifyRun.logLine(log, "producers " + fleet.nodes().keySet() + " with " + ProducerFleet.lanes(cfg)
                        + " lanes each, offering " + cfg.sendsPerSecond() + " sends/s; processors " + processors.keySet()
                        + (spare == null ? "" : " and the spare " + SPARE));
                StateSampler sampler = new StateSampler(store, history, VerifyRun.TOPIC, VerifyRun.GROUP, cfg.duration());
                fleet.start();
                history.markStart();
                nemesis.start();
                sampler.start();
                Thread ticker = VerifyRun.ticker(history, progress, cfg);
                try {
                    VerifyRun.awaitWorkloadEnd(history, cfg, sampler, nemesis);
                    // Final phase (DESIGN §6): heal, restart, stop the workload, wait quietly, drain, read.
                    cluster.heal();
                    for (ProcessorNode s : spares.values()) {
                        s.leave();
                    }
                    for (ProcessorNode p : targets.values()) {
                        p.heal();
                    }
                    VerifyRun.finalPhase(fleet, new KafkaLogReader(cluster.internalBootstrap(), VerifyRun.TOPIC,
                            cfg.partitions()), store, processors.values(), List.of(), history, log, cfg);
                    output = checkOutput(cluster, store, relay, log);
                } finally {
                    sampler.stop();
                    ticker.interrupt();
                    nemesis.interrupt();
                }
                starts = processors.values().stream().mapToInt(ProcessorNode::generation).sum();
            } finally {
                targets.values().forEach(ProcessorNode::close);
                spares.values().forEach(ProcessorNode::close);
            }
        }
        VerifyRun.logLine(log, "done: torn child lines " + sink.tornLines() + " (" + sink.tornUnexplained()
                + " unexplained), rejected child lines " + sink.rejectedLines());
        progress.accept(VerifyRun.progressLine(history, cfg));
        return new Outcome(history.confirmedPerSecond(seconds), history.injectedFaults(), sink.tornLines(),
                sink.tornUnexplained(), sink.rejectedLines(), starts, output);
    }

    private static ProcessorNode relayNode(String name, List<String> args, Map<String, String> props, Path dir,
            EventSink sink, RunHistory history, ProcessListener processLog) {
        return new ProcessorNode(name, io.semel.verify.run.child.KafkaRelayChild.class.getName(),
                io.semel.verify.run.child.KafkaRelayChild.READY, args, props, dir, sink, history, processLog);
    }

    private static ProcessorNode processorNode(String name, List<String> args, Map<String, String> props, Path dir,
            EventSink sink, RunHistory history, ProcessListener processLog) {
        return new ProcessorNode(name, KafkaProcessorChild.class.getName(), KafkaProcessorChild.READY, args, props, dir,
                sink, history, processLog);
    }
}
