package io.semel.verify.run;

import io.semel.client.Admin;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.LogRecord;
import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.proxy.FaultProxy;
import io.semel.verify.proxy.ProxyListener;
import io.semel.verify.proxy.ProxyOptions;
import io.semel.verify.report.InjectedFault;
import io.semel.verify.report.RunHealth;
import io.semel.verify.report.RunSummary;
import io.semel.verify.run.child.ControlledInstantSource;
import io.semel.verify.run.child.Deliveries;
import io.semel.verify.schedule.FaultSchedule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One verify run (DESIGN §6, docs/verify.md "How a run works"): broker, producers and processors as child
 * JVMs, two fault proxies, a seeded schedule of overlapping faults, a final phase that heals, waits, drains the
 * log and reads the store, then the checker's verdict.
 *
 * <pre>
 *   producer child JVMs p1..pN ─────► proxy px-producers ──┐
 *   harness JVM: nemesis, history writer, event sink       ├──► broker child JVM (fixed port)
 *   processor child JVMs c1..cM (one group) ► px-processor ┘
 *        └── every child's events (one TCP line each) ──► event sink ──► history.jsonl
 * </pre>
 *
 * Not thread-safe: {@link #run} once, from one thread.
 */
public final class VerifyRun {
    public static final String TOPIC = "verify-accounts";
    public static final String GROUP = "verify-processor";
    /** Longer than the producers' delivery timeout, so even the idempotent producer sees unknown sends. */
    static final long STALL_MS = ProducerFleet.DELIVERY_TIMEOUT_MS + 1_000;
    /**
     * Longer than a processor's longest legitimate pause in the final phase: an unanswered HELLO (request timeout
     * 5 s) plus its backoff (up to 5 s), a group join and a poll. At 5 s, seed 751339 gave up 6 s after the last
     * heal while both processors were still between HELLO attempts, and 856 confirmed messages counted as lost. A
     * run whose ids are all applied ends at once, so only a real loss pays for the longer wait.
     */
    static final long QUIET_NO_PROGRESS_MS = 20_000;
    /**
     * The Kafka engine's no-progress wait: a processor restarted by the final phase needs a JVM start, a group join
     * and a fetch (tens of seconds under load) before the first apply, and at-most-once's real losses never come.
     */
    static final long KAFKA_QUIET_NO_PROGRESS_MS = 30_000;
    static final long QUIET_TIMEOUT_MS = 40_000;
    static final int DRAIN_RECORDS_MAX = 5_000_000;

    private final VerifyConfig cfg;
    private final PostgresServer postgres;

    /**
     * @param postgres the server for {@link VerifyConfig.StoreKind#POSTGRES} (owned by the caller, shared by
     *     runs); null for SQLite
     */
    public VerifyRun(VerifyConfig cfg, PostgresServer postgres) {
        this.cfg = cfg;
        this.postgres = postgres;
        if (cfg.store() == VerifyConfig.StoreKind.POSTGRES && postgres == null) {
            throw new IllegalArgumentException("a PostgreSQL run needs a PostgresServer");
        }
    }

    /** The schedule this config gets: the same for every guarantee with the same seed, duration and faults. */
    public static FaultSchedule schedule(VerifyConfig cfg) {
        if (cfg.engine() == VerifyConfig.Engine.KAFKA) {
            return KafkaVerifyRun.schedule(cfg);
        }
        return RunSchedule.plan(cfg.seed(), cfg.duration(), cfg.faults(), STALL_MS,
                new RunSchedule.Roster(cfg.processorNames(), ProducerFleet.names(cfg)));
    }

    /**
     * Runs and checks.
     *
     * @param progress called about once a second with a one-line status (from another thread)
     */
    public RunResult run(Consumer<String> progress) throws IOException, InterruptedException {
        if (cfg.engine() == VerifyConfig.Engine.KAFKA) {
            return new KafkaVerifyRun(cfg, postgres).run(progress);
        }
        Path dir = cfg.runDir();
        Files.createDirectories(dir);
        FaultSchedule schedule = schedule(cfg);
        Path historyFile = dir.resolve("history.jsonl");
        int seconds = (int) cfg.duration().toSeconds() + 1;
        long wallStart = System.nanoTime();
        long torn;
        long tornUnexplained;
        long rejected;
        int starts;
        List<Long> perSecond;
        List<InjectedFault> injected;
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(dir.resolve("harness.log"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING), true);
                RunHistory history = new RunHistory(historyFile, System::nanoTime,
                        new EventValue.Header(cfg.guarantee(), schedule.scheduledFaults())
                                .withRun(cfg.seed(), cfg.minConfirmed()), seconds);
                EventSink sink = EventSink.start(history)) {
            ProcessListener processLog = e -> logLine(log, "process " + e);
            ProxyListener proxyLog = e -> logLine(log, "proxy " + e);
            logLine(log, "schedule " + schedule.faults());
            try (BrokerNode broker = BrokerNode.start(dir, cfg.failover(), processLog);
                    RunStore store = openStore(dir);
                    FaultProxy pxProducers = FaultProxy.start(RunSchedule.PROXY_PRODUCERS, broker.address(),
                            ProxyOptions.semelFrames(), cfg.seed() + 1, proxyLog);
                    FaultProxy pxProcessor = FaultProxy.start(RunSchedule.PROXY_PROCESSOR, broker.address(),
                            ProxyOptions.semelFrames(), cfg.seed() + 2, proxyLog)) {
                try (Admin admin = Admin.builder(broker.bootstrap()).build()) {
                    admin.createTopic(TOPIC, cfg.partitions());
                }
                store.prepare(cfg.accounts());
                List<String> args = new ArrayList<>(List.of("--bootstrap", hostPort(pxProcessor), "--topic", TOPIC,
                        "--group", GROUP, "--guarantee", cfg.guarantee().wireName(),
                        "--events", "127.0.0.1:" + sink.address().getPort(),
                        "--session-timeout-ms", Integer.toString(cfg.failover().sessionTimeoutMs()),
                        "--ack-timeout-ms", Long.toString(cfg.failover().ackTimeoutMs()),
                        "--max-deliveries", Integer.toString(BrokerNode.MAX_DELIVERIES)));
                args.addAll(store.childArgs());
                Map<String, ProcessorNode> processors = new LinkedHashMap<>();
                for (String name : cfg.processorNames()) {
                    processors.put(name, new ProcessorNode(name, args,
                            Map.of("org.slf4j.simpleLogger.defaultLogLevel", "info",
                                    ControlledInstantSource.OFFSET_FILE_PROPERTY, BrokerNode.clockFile(dir, name).toString()),
                            dir, sink, history, processLog));
                }
                try (ProducerFleet fleet = new ProducerFleet(cfg, hostPort(pxProducers), TOPIC, dir, sink, history,
                        processLog)) {
                    for (ProcessorNode p : processors.values()) {
                        p.start();
                    }
                    Map<String, ProxyGroup> proxies = new LinkedHashMap<>();
                    proxies.put(pxProducers.name(), ProxyGroup.of(pxProducers));
                    proxies.put(pxProcessor.name(), ProxyGroup.of(pxProcessor));
                    Nemesis nemesis = new Nemesis(schedule, proxies, broker, processors, fleet.nodes(), history,
                            cfg.seed(), dir, line -> logLine(log, line));
                    logLine(log, "producers " + fleet.nodes().keySet() + " with " + ProducerFleet.lanes(cfg)
                            + " lanes each, offering " + cfg.sendsPerSecond() + " sends/s; processors "
                            + processors.keySet());
                    StateSampler sampler = new StateSampler(store, history, TOPIC, GROUP, cfg.duration());
                    // The producers' JVMs start (and send) before time zero, so faults meet a running workload.
                    fleet.start();
                    history.markStart();
                    nemesis.start();
                    sampler.start();
                    Thread ticker = ticker(history, progress, cfg);
                    try {
                        awaitWorkloadEnd(history, cfg, sampler, nemesis);
                        // Final phase (DESIGN §6): heal, restart, stop the workload, wait quietly, drain, read.
                        pxProducers.heal();
                        pxProcessor.heal();
                        broker.heal();
                        for (ProcessorNode p : processors.values()) {
                            p.heal();
                        }
                        finalPhase(fleet, next -> drain(broker, next), store, processors.values(),
                                List.of(broker.process()), history, log, cfg);
                    } finally {
                        sampler.stop();
                        ticker.interrupt();
                        nemesis.interrupt();
                    }
                    starts = processors.values().stream().mapToInt(ProcessorNode::generation).sum();
                } finally {
                    processors.values().forEach(ProcessorNode::close);
                }
            }
            perSecond = history.confirmedPerSecond(seconds);
            injected = history.injectedFaults();
            torn = sink.tornLines();
            tornUnexplained = sink.tornUnexplained();
            rejected = sink.rejectedLines();
            logLine(log, "done: torn child lines " + torn + " (" + tornUnexplained + " unexplained), rejected child lines "
                    + rejected);
            progress.accept(progressLine(history, cfg));
        }
        // From the file, never the whole history in memory: a soak's would not fit the heap (docs/verify.md).
        // The run's health from the checker's own pass over the file: a soak's history is read once, not twice.
        RunHealth.Stops stops = RunHealth.tally();
        CheckResult result = new Checker(new CheckerOptions(cfg.minConfirmed())).check(historyFile, stops);
        RunHealth health = stops.health(torn, tornUnexplained, rejected);
        RunSummary summary = new RunSummary(cfg.guarantee(), cfg.seed(), Duration.ofNanos(System.nanoTime() - wallStart),
                schedule, result, perSecond, injected, health);
        return new RunResult(summary, historyFile, torn, rejected, starts);
    }

    private RunStore openStore(Path dir) throws IOException {
        return openStore(cfg, postgres, dir);
    }

    static RunStore openStore(VerifyConfig cfg, PostgresServer postgres, Path dir) throws IOException {
        if (cfg.store() == VerifyConfig.StoreKind.SQLITE) {
            return RunStore.sqlite(dir.resolve("store.db"));
        }
        try {
            return RunStore.postgres(postgres.createDatabase("verify_" + cfg.guarantee().name()), postgres.user());
        } catch (java.sql.SQLException e) {
            throw new IOException("cannot create the run's PostgreSQL database: " + e.getMessage(), e);
        }
    }

    private static String hostPort(FaultProxy p) {
        return "127.0.0.1:" + p.port();
    }

    /** Until the run's duration has passed and the nemesis has taken its last step, its crash windows closed. */
    static void awaitWorkloadEnd(RunHistory history, VerifyConfig cfg, StateSampler sampler, Nemesis nemesis)
            throws InterruptedException {
        sleepUntil(history, cfg.duration().toMillis());
        sampler.stop();
        nemesis.join();
        nemesis.endCrashWindows();
    }

    /**
     * The final phase after the heal (DESIGN §6): stops the workload, waits quietly ({@link #awaitQuiet}), stops the
     * processors for good, then records the log's drain and the store's state.
     */
    static void finalPhase(ProducerFleet fleet, LogDrain logDrain, RunStore store, Collection<ProcessorNode> processors,
            Collection<ChildProcess> alsoDump, RunHistory history, PrintWriter log, VerifyConfig cfg)
            throws IOException, InterruptedException {
        fleet.stop();
        logLine(log, "workload stopped at " + history.elapsedMs() + " ms; producers that died on their own: "
                + fleet.unplannedDeaths() + "; waiting for the processors");
        if (!awaitQuiet(logDrain, store, log, cfg)) {
            // Messages in the log but not applied after the heal: keep the evidence of what the processes were
            // doing (a finding to investigate, not something the verdict depends on).
            List<ChildProcess> suspects = new ArrayList<>(alsoDump);
            processors.forEach(p -> suspects.add(p.current));
            ThreadDumps.write(cfg.runDir(), suspects, log);
        }
        for (ProcessorNode p : processors) {
            p.stopForGood();
        }
        drainLog(logDrain, history, cfg.partitions());
        readState(store, history);
    }

    private static void sleepUntil(RunHistory history, long atMs) throws InterruptedException {
        long waitMs = atMs - history.elapsedMs();
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
    }

    static Thread ticker(RunHistory history, Consumer<String> progress, VerifyConfig cfg) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(1_000);
                    progress.accept(progressLine(history, cfg));
                }
            } catch (InterruptedException e) {
                // run over
            }
        }, "progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static String progressLine(RunHistory h, VerifyConfig cfg) {
        return String.format("%s %3ds/%ds  sent %,d  confirmed %,d  unknown %,d  faults %d", cfg.guarantee().wireName(),
                Math.max(0, h.elapsedMs() / 1000), cfg.duration().toSeconds(), h.sent(), h.confirmed(), h.unknown(),
                h.faultsInjected());
    }

    /**
     * Waits until every id in the log is applied, or nothing new was applied for the engine's no-progress wait
     * ({@link #quietNoProgressMs}: losses), or the run's own duration (at least {@link #QUIET_TIMEOUT_MS}) has passed.
     */
    static boolean awaitQuiet(LogDrain broker, RunStore store, PrintWriter log, VerifyConfig cfg)
            throws InterruptedException {
        // While applies still progress, a backlog is being worked off (a high-rate run offers more than the
        // processors apply): wait for it as long as the workload ran, at least QUIET_TIMEOUT_MS.
        return awaitQuiet(broker, store, log, cfg.partitions(), quietNoProgressMs(cfg),
                Math.max(QUIET_TIMEOUT_MS, cfg.duration().toMillis()));
    }

    /**
     * How long the final phase waits without a new apply before it calls the rest lost: at least the engine's wait,
     * and on Semel long enough for a dead member's session and its deliveries' ack timeout to pass with 5 s to spare
     * (a delivery held by a processor killed just before the heal comes back only then).
     */
    static long quietNoProgressMs(VerifyConfig cfg) {
        if (cfg.engine() == VerifyConfig.Engine.KAFKA) {
            return KAFKA_QUIET_NO_PROGRESS_MS;
        }
        VerifyConfig.Failover f = cfg.failover();
        return Math.max(QUIET_NO_PROGRESS_MS, f.sessionTimeoutMs() + f.ackTimeoutMs() + 5_000);
    }

    /** @return true when every logged id was applied, false when the wait ended without that */
    static boolean awaitQuiet(LogDrain broker, RunStore store, PrintWriter log, int partitions, long quietMs,
            long capMs) throws InterruptedException {
        long start = System.nanoTime();
        long lastChange = start;
        int lastApplied = -1;
        // Each round reads only what was appended since the last one: the log can hold a million records.
        long[] nextOffset = new long[partitions];
        Set<String> logged = new HashSet<>();
        while (true) {
            long now = System.nanoTime();
            try {
                broker.drain(nextOffset).forEach(r -> logged.add(r.id()));
                Set<String> applied = store.appliedIds();
                if (applied.containsAll(logged)) {
                    logLine(log, "quiet: all " + logged.size() + " logged ids applied");
                    return true;
                }
                if (applied.size() != lastApplied) {
                    lastApplied = applied.size();
                    lastChange = now;
                } else if (now - lastChange > quietMs * 1_000_000) {
                    logged.removeAll(applied);
                    logLine(log, "quiet: no progress for " + quietMs + " ms; " + logged.size()
                            + " logged ids not applied");
                    return false;
                }
            } catch (Exception e) {
                logLine(log, "quiet wait: " + e);
            }
            if (now - start > capMs * 1_000_000) {
                logLine(log, "quiet: gave up after " + capMs + " ms");
                return false;
            }
            Thread.sleep(500);
        }
    }

    /**
     * The records of every partition from {@code nextOffset[partition]} to the log's end; advances
     * {@code nextOffset} past what it returns.
     */
    private List<LogRecord> drain(BrokerNode broker, long[] nextOffset) {
        // The Semel engine reads its broker directly, not through a proxy.
        List<LogRecord> out = new ArrayList<>();
        try (PartitionReader reader = PartitionReader.builder(broker.bootstrap()).build()) {
            for (int p = 0; p < cfg.partitions(); p++) {
                for (PartitionRecord r : reader.readToEnd(TOPIC, p, nextOffset[p], DRAIN_RECORDS_MAX)) {
                    out.add(new LogRecord(r.partition(), r.offset(), Deliveries.idOf(r.headers(), r.value())));
                    nextOffset[p] = r.offset() + 1;
                }
            }
        }
        return out;
    }

    static void drainLog(LogDrain broker, RunHistory history, int partitions) {
        String proc = "final-drain";
        EventValue.DrainLog invoke = new EventValue.DrainLog(List.of());
        history.invoke(proc, invoke);
        try {
            history.ok(proc, new EventValue.DrainLog(broker.drain(new long[partitions])));
        } catch (RuntimeException e) {
            history.fail(proc, invoke, e.toString());
        }
    }

    static void readState(RunStore store, RunHistory history) {
        String proc = "final-read";
        history.invoke(proc, EventValue.ReadState.empty());
        try {
            history.ok(proc, store.readState(TOPIC, GROUP, true));
        } catch (Exception e) {
            history.fail(proc, EventValue.ReadState.empty(), e.toString());
        }
    }

    static void logLine(PrintWriter log, String line) {
        synchronized (log) {
            log.println(System.currentTimeMillis() + " " + line);
        }
    }
}
