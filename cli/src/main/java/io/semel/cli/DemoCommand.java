package io.semel.cli;

import io.semel.verify.report.RunSummary;
import io.semel.verify.report.TerminalReport;
import io.semel.verify.run.Demo;
import io.semel.verify.run.PostgresServer;
import io.semel.verify.run.RunResult;
import io.semel.verify.run.VerifyConfig;
import io.semel.verify.run.VerifyRun;
import io.semel.verify.history.Guarantee;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code semel demo}: the three guarantees under the same seed and fault schedule, side by side. Exit 0 when
 * exactly-once is valid and the weaker guarantees showed their cost (duplicates, losses).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run exactly-once, at-least-once and at-most-once under the same faults and compare them.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seed", paramLabel = "N", description = "Seeds the fault schedule and workload (default ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(names = "--duration-each", paramLabel = "D", converter = VerifyOptions.DurationConverter.class,
            description = "Workload phase of each run (default 20s).")
    Duration durationEach = Duration.ofSeconds(20);

    @Option(names = "--store", paramLabel = "S", converter = VerifyOptions.StoreConverter.class,
            description = "The processor's store: sqlite (default) or postgres.")
    VerifyConfig.StoreKind store = VerifyConfig.StoreKind.SQLITE;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "External PostgreSQL for --store postgres.")
    String jdbcUrl;

    @Option(names = "--report", paramLabel = "DIR", description = "Where to write report.html and per-run JSON "
            + "(default target/demo-report).")
    Path report = Path.of("target", "demo-report");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Files.createTempDirectory("semel-demo-");
        VerifyConfig base = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, seed, durationEach, dir).withStore(store, jdbcUrl);
        out.println("semel demo: seed " + seed + ", " + durationEach.toSeconds() + " s per guarantee, the same "
                + VerifyRun.schedule(base).faults().size() + " faults for each (" + describe(base) + ")");
        out.flush();
        List<RunResult> runs;
        try (PostgresServer pg = VerifyOptions.postgres(store, jdbcUrl, err)) {
            runs = Demo.runAll(base, dir, pg, VerifyOptions.progress(err));
        }
        err.println();
        Path html = Demo.writeReports(report, "semel demo, seed " + seed, runs, Reproduce.commandLine(spec, seed));
        List<RunSummary> summaries = runs.stream().map(RunResult::summary).toList();
        out.println();
        out.println(TerminalReport.sideBySide(summaries));
        out.println(Demo.reading(runs));
        out.println();
        out.println("report: " + html.toAbsolutePath());
        List<String> problems = Demo.problems(runs);
        problems.forEach(p -> err.println("semel: demo: " + p));
        return problems.isEmpty() ? 0 : Semel.EXIT_FAILURE;
    }

    private static String describe(VerifyConfig c) {
        StringBuilder sb = new StringBuilder();
        VerifyRun.schedule(c).countByKind().forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(n).append(' ').append(k.wireName()));
        return sb.toString();
    }
}
