package io.semel.verify.run;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.Guarantee;
import io.semel.verify.report.HtmlReport;
import io.semel.verify.report.LatencyPanel;
import io.semel.verify.report.JsonReport;
import io.semel.verify.report.RunSummary;
import io.semel.verify.report.TerminalReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code semel demo}: the same seeded workload and fault schedule under each guarantee, and what each is
 * expected to show (DESIGN §6, "the three guarantees side by side"): exactly-once valid, at-least-once
 * valid with duplicates, at-most-once valid with losses. That the weaker guarantees fail visibly is the
 * harness's own test.
 */
public final class Demo {
    public static final List<Guarantee> ORDER = List.of(Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE,
            Guarantee.AT_MOST_ONCE);

    private Demo() {
    }

    /** Runs the three guarantees one after the other, each in {@code workDir/<guarantee>}. */
    public static List<RunResult> runAll(VerifyConfig base, Path workDir, PostgresServer postgres,
            Consumer<String> progress) throws IOException, InterruptedException {
        List<RunResult> out = new ArrayList<>();
        for (Guarantee g : ORDER) {
            VerifyConfig cfg = base.withGuarantee(g).withRunDir(workDir.resolve(g.wireName()));
            out.add(new VerifyRun(cfg, postgres).run(progress));
        }
        return out;
    }

    /** What went against expectations; empty when the demo showed what it should. */
    public static List<String> problems(List<RunResult> runs) {
        List<String> problems = new ArrayList<>();
        for (RunResult r : runs) {
            CheckResult c = r.check();
            String g = c.guarantee().wireName();
            // The run's verdict includes the harness's own findings (unexplained child lines, producer stops).
            if (r.summary().verdict() != Verdict.VALID) {
                problems.add(g + " is " + r.summary().verdict().wireName() + ": "
                        + String.join("; ", r.summary().reasons()));
            }
            if (c.guarantee() == Guarantee.AT_LEAST_ONCE && c.counts().duplicated() == 0) {
                problems.add("at-least-once showed no duplicate: the faults did not exercise it");
            }
            if (c.guarantee() == Guarantee.AT_MOST_ONCE && c.counts().lost() == 0) {
                problems.add("at-most-once showed no loss: the faults did not exercise it");
            }
        }
        return problems;
    }

    /** One paragraph reading the table for a newcomer. */
    public static String reading(List<RunResult> runs) {
        StringBuilder sb = new StringBuilder();
        for (RunResult r : runs) {
            CheckResult c = r.check();
            long n = c.counts().confirmed();
            switch (c.guarantee()) {
                case EXACTLY_ONCE -> sb.append(String.format("Exactly-once applied each of the %,d confirmed sends once "
                        + "(%s): the processor was killed between its commit and its ack and the inbox skipped the "
                        + "redelivery; the %,d sends whose outcome stayed unknown were each applied at most once. ",
                        n, c.verdict().wireName(), c.counts().unknown()));
                case AT_LEAST_ONCE -> sb.append(String.format("At-least-once lost nothing but applied %,d messages more "
                        + "than once: retried sends whose first reply was lost are in the log twice, and the batch the "
                        + "crashed consumer had applied but not acked was delivered and applied again. ",
                        c.counts().duplicated()));
                case AT_MOST_ONCE -> sb.append(String.format("At-most-once never applied anything twice but lost %,d "
                        + "confirmed messages: the consumer acked a batch and died before applying it, and nothing "
                        + "ever redelivers an acked message. ", c.counts().lost()));
            }
        }
        sb.append("Same seed, same faults; only the guarantee differs.");
        return wrap(sb.toString(), 100);
    }

    /** Writes {@code report.html} (all runs), {@code <guarantee>.json} and {@code <guarantee>.txt} per run. */
    public static Path writeReports(Path dir, String title, List<RunResult> runs) throws IOException {
        return writeReports(dir, title, runs, null);
    }

    /**
     * As {@link #writeReports(Path, String, List)}; {@code command} (null for none) is the command line that
     * reproduces the runs, shown in the HTML report with the version, and each run's latency panel is read
     * from its history file in one streaming pass ({@link LatencyPanel#from(Path)}: a few bytes per send, not the
     * history).
     */
    public static Path writeReports(Path dir, String title, List<RunResult> runs, String command) throws IOException {
        Files.createDirectories(dir);
        List<RunSummary> summaries = runs.stream().map(RunResult::summary).toList();
        for (RunResult r : runs) {
            String g = r.summary().guarantee().wireName();
            JsonReport.write(r.summary(), dir.resolve(g + ".json"));
            Files.writeString(dir.resolve(g + ".txt"), TerminalReport.table(r.summary()));
            Files.copy(r.history(), dir.resolve(g + ".history.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Map<Guarantee, LatencyPanel> latencies = new EnumMap<>(Guarantee.class);
        for (RunResult r : runs) {
            latencies.put(r.summary().guarantee(), LatencyPanel.from(r.history()));
        }
        Path html = dir.resolve("report.html");
        HtmlReport.write(title, summaries, latencies, command, html);
        return html;
    }

    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + 1 + word.length() > width) {
                out.append('\n');
                col = 0;
            } else if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }
}
