package io.semel.cli;

import io.semel.verify.checker.Verdict;
import io.semel.verify.history.Guarantee;
import io.semel.verify.report.RunSummary;
import io.semel.verify.report.SweepReport;
import io.semel.verify.report.TerminalReport;
import io.semel.verify.run.Demo;
import io.semel.verify.run.PostgresServer;
import io.semel.verify.run.RunResult;
import io.semel.verify.run.Sweep;
import io.semel.verify.run.VerifyConfig;
import io.semel.verify.run.VerifyRun;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel verify}: one fault-injection run under one guarantee (docs/verify.md), or with {@code --seeds N} a
 * sweep of N runs with consecutive seeds. Exit 0 only when every run's verdict is valid for that guarantee.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run a workload under injected faults (one run, or a sweep of N seeds), check each history, exit 0 only if every verdict is valid.")
final class VerifyCommand implements Callable<Integer> {
    /** A random first seed stays below this, so it is short enough to type back in. */
    static final long SEED_RANDOM_MAX = 1_000_000;
    static final Duration DURATION_DEFAULT = Duration.ofSeconds(60);
    /**
     * The Kafka engine's default: its processor and relay faults fire one after another, each followed by a restart
     * of 17-30 s on a loaded 2-core machine (RunSchedule.KAFKA_RESTART_MS); in 60 s most runs were trivial.
     */
    static final Duration KAFKA_DURATION_DEFAULT = Duration.ofSeconds(120);

    @Option(names = "--guarantee", paramLabel = "G", converter = VerifyOptions.GuaranteeConverter.class,
            description = "exactly-once (default), at-least-once or at-most-once.")
    Guarantee guarantee = Guarantee.EXACTLY_ONCE;

    @Option(names = "--duration", paramLabel = "D", converter = VerifyOptions.DurationConverter.class,
            description = "Workload phase, e.g. 60s, 30m (default 60s; with --engine kafka 120s, the time its "
                    + "crash points, each followed by a processor restart, need to take effect); the final phase "
                    + "comes after.")
    Duration duration;

    @Option(names = "--seed", paramLabel = "N", description = "Seeds the fault schedule and workload; with --seeds, "
            + "the first seed (default: 1 for one run, a random seed, printed, for a sweep).")
    Long seed;

    @Option(names = "--seeds", paramLabel = "N", description = "Seed sweep: N runs with consecutive seeds, one row each "
            + "and a summary; exit 0 only if every run is valid (default ${DEFAULT-VALUE}: one run).")
    int seeds = 1;

    @Option(names = "--faults", paramLabel = "K1,K2", description = "Fault kinds (default: drop-after-request, "
            + "cut-during-response, stall, reset, delay, drop-requests, drop-replies, latency-spike, kill, pause, "
            + "power-loss, clock-jump, crash-after-commit-before-ack; also replay-stale; with --engine kafka: the network "
            + "faults but replay-stale, kill, pause, crash-after-commit-before-ack, crash-after-claim, "
            + "crash-after-handler-before-commit, zombie, rebalance-storm, relay-crash-after-send-before-commit, "
            + "relay-crash-after-commit-before-mark-sent, second-relay, broker-kill-in-relay-transaction, "
            + "relay-stall-past-transaction-timeout).")
    String faults;

    @Option(names = "--engine", paramLabel = "E", description = "semel (default): Semel's broker; kafka: a three-node "
            + "KRaft cluster of child JVMs (RF 3, min.insync.replicas 2) with the processor on KafkaSource "
            + "(docs/kafka.md, \"Verify on Kafka\").")
    String engine = "semel";

    @Option(names = "--store", paramLabel = "S", converter = VerifyOptions.StoreConverter.class,
            description = "The processor's store: sqlite (default) or postgres.")
    VerifyConfig.StoreKind store = VerifyConfig.StoreKind.SQLITE;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "External PostgreSQL for --store postgres, e.g. "
            + "jdbc:postgresql://localhost:5432/postgres?user=u&password=p (default: an embedded PostgreSQL).")
    String jdbcUrl;

    @Option(names = "--rate", paramLabel = "R", description = "Sends per second offered over all producers (default ${DEFAULT-VALUE}; "
            + "5000 or more is the high-rate mode).")
    int rate = 150;

    @Option(names = "--failover", paramLabel = "F", description = "fast (default): 2 s sessions and 1.5 s ack timeouts, so "
            + "every processor pause or kill moves partitions within a short run; tolerant: 10 s and 15 s, for soaks and "
            + "busy machines, where a starved processor would otherwise miss its ack deadline again and again; or "
            + "SESSION_MS,ACK_MS.")
    String failover = "fast";

    @Option(names = "--report", paramLabel = "DIR", description = "Where to write report.html, <guarantee>.json/.txt "
            + "and the history (default target/verify-report).")
    Path report = Path.of("target", "verify-report");

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Run directory, new or empty: broker data, store, child logs "
            + "(default: a new temporary directory).")
    Path workDir;

    @Spec
    CommandSpec spec;

    private VerifyConfig.Engine engine() {
        try {
            return VerifyConfig.Engine.valueOf(engine.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--engine must be semel or kafka, got '" + engine + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = workDir != null ? workDir : Files.createTempDirectory("semel-verify-");
        long first = seed != null ? seed : seeds > 1 ? new SplittableRandom().nextLong(1, SEED_RANDOM_MAX) : 1;
        VerifyConfig cfg;
        try {
            if (workDir != null) {
                VerifyOptions.freshWorkDir(workDir);
            }
            Sweep.seeds(first, seeds);
            if (duration == null) {
                duration = engine() == VerifyConfig.Engine.KAFKA ? KAFKA_DURATION_DEFAULT : DURATION_DEFAULT;
            }
            cfg = VerifyConfig.defaults(guarantee, first, duration, dir).withSendsPerSecond(rate)
                    .withStore(store, jdbcUrl).withEngine(engine());
            if (faults != null) {
                cfg = cfg.withFaults(VerifyOptions.faults(faults));
            }
            cfg = cfg.withFailover(VerifyOptions.failover(failover));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return seeds > 1 ? sweep(cfg, out, err) : single(cfg, out, err);
    }

    private int single(VerifyConfig cfg, PrintWriter out, PrintWriter err) throws Exception {
        out.println("semel verify: " + guarantee.wireName() + ", " + duration.toSeconds() + " s, seed " + cfg.seed()
                + ", store " + store.name().toLowerCase() + ", engine " + cfg.engine().wireName() + ", "
                + VerifyRun.schedule(cfg).faults().size()
                + " faults planned; run dir " + cfg.runDir());
        out.flush();
        RunResult r;
        try (PostgresServer pg = VerifyOptions.postgres(store, jdbcUrl, err)) {
            r = new VerifyRun(cfg, pg).run(VerifyOptions.progress(err));
        }
        err.println();
        Path html = Demo.writeReports(report, "semel verify " + guarantee.wireName() + " seed " + cfg.seed(), List.of(r),
                Reproduce.commandLine(spec, cfg.seed()));
        out.println(TerminalReport.table(r.summary()));
        out.println("faults injected by kind: " + r.summary().faultsByKind());
        out.println("history: " + r.history() + "; report: " + html);
        return r.summary().verdict() == Verdict.VALID ? 0 : Semel.EXIT_FAILURE;
    }

    private int sweep(VerifyConfig cfg, PrintWriter out, PrintWriter err) throws Exception {
        out.println("semel verify: sweep of " + seeds + " seeds from " + cfg.seed() + (seed == null ? " (random)" : "")
                + ", " + guarantee.wireName() + ", " + duration.toSeconds() + " s each, store "
                + store.name().toLowerCase() + ", engine " + cfg.engine().wireName() + "; run dirs " + cfg.runDir()
                + "/seed-N");
        out.flush();
        List<RunResult> runs;
        try (PostgresServer pg = VerifyOptions.postgres(store, jdbcUrl, err)) {
            boolean[] headerPrinted = {false};
            runs = Sweep.run(cfg, seeds, pg, VerifyOptions.progress(err), r -> {
                String table = SweepReport.table(List.of(r.summary()));
                synchronized (err) {
                    err.print("\r");
                    err.flush();
                }
                // The header once, then each seed's row as soon as its run is checked.
                out.print(headerPrinted[0] ? table.substring(table.indexOf('\n') + 1) : table);
                headerPrinted[0] = true;
                out.flush();
            });
        }
        err.println();
        List<RunSummary> summaries = Sweep.summaries(runs);
        Path table = Sweep.writeReports(report, runs);
        out.println();
        out.println(SweepReport.table(summaries));
        out.println(SweepReport.summary(summaries));
        out.println("reports: " + table.getParent() + " (sweep.txt, seed-N/)");
        return SweepReport.allValid(summaries) ? 0 : Semel.EXIT_FAILURE;
    }
}
