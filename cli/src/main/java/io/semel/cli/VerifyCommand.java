package io.semel.cli;

import io.semel.verify.checker.Verdict;
import io.semel.verify.history.Guarantee;
import io.semel.verify.report.TerminalReport;
import io.semel.verify.run.Demo;
import io.semel.verify.run.PostgresServer;
import io.semel.verify.run.RunResult;
import io.semel.verify.run.VerifyConfig;
import io.semel.verify.run.VerifyRun;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel verify}: one fault-injection run under one guarantee (docs/verify.md). Exit 0 only when the
 * checker's verdict is valid for that guarantee.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run a workload under injected faults, check the history, exit 0 only if the verdict is valid.")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--guarantee", paramLabel = "G", converter = VerifyOptions.GuaranteeConverter.class,
            description = "exactly-once (default), at-least-once or at-most-once.")
    Guarantee guarantee = Guarantee.EXACTLY_ONCE;

    @Option(names = "--duration", paramLabel = "D", converter = VerifyOptions.DurationConverter.class,
            description = "Workload phase, e.g. 60s, 30m (default 60s); the final phase comes after.")
    Duration duration = Duration.ofSeconds(60);

    @Option(names = "--seed", paramLabel = "N", description = "Seeds the fault schedule and workload (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--faults", paramLabel = "K1,K2", description = "Fault kinds to rotate (default: drop-after-request, "
            + "cut-during-response, stall, reset, delay, kill, pause, crash-after-commit-before-ack; also replay-stale).")
    String faults;

    @Option(names = "--store", paramLabel = "S", converter = VerifyOptions.StoreConverter.class,
            description = "The processor's store: sqlite (default) or postgres.")
    VerifyConfig.StoreKind store = VerifyConfig.StoreKind.SQLITE;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "External PostgreSQL for --store postgres, e.g. "
            + "jdbc:postgresql://localhost:5432/postgres?user=u&password=p (default: an embedded PostgreSQL).")
    String jdbcUrl;

    @Option(names = "--rate", paramLabel = "R", description = "Sends per second over all producers (default ${DEFAULT-VALUE}).")
    int rate = 150;

    @Option(names = "--report", paramLabel = "DIR", description = "Where to write report.html, <guarantee>.json/.txt "
            + "and the history (default target/verify-report).")
    Path report = Path.of("target", "verify-report");

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Run directory: broker data, store, child logs "
            + "(default: a new temporary directory).")
    Path workDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = workDir != null ? workDir : Files.createTempDirectory("semel-verify-");
        VerifyConfig cfg;
        try {
            cfg = VerifyConfig.defaults(guarantee, seed, duration, dir).withSendsPerSecond(rate)
                    .withStore(store, jdbcUrl);
            if (faults != null) {
                cfg = cfg.withFaults(VerifyOptions.faults(faults));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        out.println("semel verify: " + guarantee.wireName() + ", " + duration.toSeconds() + " s, seed " + seed + ", store "
                + store.name().toLowerCase() + ", " + VerifyRun.schedule(cfg).faults().size() + " faults planned; run dir "
                + dir);
        out.flush();
        RunResult r;
        try (PostgresServer pg = VerifyOptions.postgres(store, jdbcUrl, err)) {
            r = new VerifyRun(cfg, pg).run(VerifyOptions.progress(err));
        }
        err.println();
        Path html = Demo.writeReports(report, "semel verify " + guarantee.wireName() + " seed " + seed, List.of(r));
        out.println(TerminalReport.table(r.summary()));
        out.println("faults injected by kind: " + r.summary().faultsByKind());
        out.println("history: " + r.history() + "; report: " + html);
        return r.summary().verdict() == Verdict.VALID ? 0 : Semel.EXIT_FAILURE;
    }
}
