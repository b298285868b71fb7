package io.semel.verify.run;

import io.semel.verify.report.RunSummary;
import io.semel.verify.report.SweepReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A seed sweep ({@code semel verify --seeds N}): the same configuration under N consecutive seeds, starting at
 * the configured one, each a full {@link VerifyRun} in its own directory {@code <runDir>/seed-<seed>}. Runs one
 * after the other (they share the machine's cores and, for PostgreSQL, one server). Not thread-safe.
 */
public final class Sweep {
    /** More seeds than this in one command is a soak; split it or script it. */
    public static final int SEEDS_MAX = 10_000;

    private Sweep() {
    }

    /** The seeds a sweep of {@code count} runs from {@code first}: first, first + 1, ... */
    public static List<Long> seeds(long first, int count) {
        if (count < 1 || count > SEEDS_MAX) {
            throw new IllegalArgumentException("--seeds must be 1.." + SEEDS_MAX + ", got " + count);
        }
        List<Long> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(first + i);
        }
        return out;
    }

    /**
     * Runs every seed.
     *
     * @param postgres the shared server for PostgreSQL runs (each run gets a fresh database); null for SQLite
     * @param progress the running run's status line, prefixed with its place in the sweep
     * @param done called with each result as soon as its run is checked (to print its row at once)
     */
    public static List<RunResult> run(VerifyConfig base, int count, PostgresServer postgres, Consumer<String> progress,
            Consumer<RunResult> done) throws IOException, InterruptedException {
        List<Long> seeds = seeds(base.seed(), count);
        List<RunResult> out = new ArrayList<>(count);
        for (int i = 0; i < seeds.size(); i++) {
            long seed = seeds.get(i);
            Path dir = base.runDir().resolve("seed-" + seed);
            Files.createDirectories(dir);
            VerifyConfig cfg = base.withSeed(seed).withRunDir(dir);
            String prefix = "[" + (i + 1) + "/" + count + " seed " + seed + "] ";
            RunResult r = new VerifyRun(cfg, postgres).run(line -> progress.accept(prefix + line));
            out.add(r);
            done.accept(r);
        }
        return out;
    }

    public static List<RunSummary> summaries(List<RunResult> runs) {
        return runs.stream().map(RunResult::summary).toList();
    }

    /** Writes {@code sweep.txt} (the table and summary) and, per seed, its JSON, text and history. */
    public static Path writeReports(Path dir, List<RunResult> runs) throws IOException {
        Files.createDirectories(dir);
        for (RunResult r : runs) {
            Demo.writeReports(dir.resolve("seed-" + r.summary().seed()), "semel verify "
                    + r.summary().guarantee().wireName() + " seed " + r.summary().seed(), List.of(r));
        }
        List<RunSummary> s = summaries(runs);
        Path table = dir.resolve("sweep.txt");
        Files.writeString(table, SweepReport.table(s) + SweepReport.summary(s) + "\n");
        return table;
    }
}
