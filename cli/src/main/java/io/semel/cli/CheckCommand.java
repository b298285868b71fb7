package io.semel.cli;

import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.HistoryFormatException;
import io.semel.verify.report.HistoryCheck;
import io.semel.verify.report.HtmlReport;
import io.semel.verify.report.JsonReport;
import io.semel.verify.report.RunSummary;
import io.semel.verify.report.TerminalReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel check HISTORY}: re-checks a history that {@code semel verify} recorded (docs/verify.md), printing
 * the same table, verdict and reasons as the run did. Exit 0 only when the verdict is valid.
 *
 * <p>The history is streamed, never held whole ({@link HistoryCheck#recheck(Path)}: the checker's index, about 110
 * bytes per event), so a soak's history of millions of events is checked within {@code -Xmx4g}.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Re-check a recorded history (history.jsonl of semel verify) offline; exit 0 only if valid.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HISTORY", description = "The history file (JSON Lines), e.g. "
            + "target/verify-report/exactly-once.history.jsonl or <run dir>/history.jsonl.")
    Path history;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the JSON report here.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the HTML report here.")
    Path html;

    @Option(names = "--min-confirmed", paramLabel = "N", description = "Confirmed sends a non-trivial run needs "
            + "(default: what the run recorded in the history's header, else "
            + CheckerOptions.DEFAULT_MIN_CONFIRMED + ").")
    Integer minConfirmed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isRegularFile(history)) {
            throw new ParameterException(spec.commandLine(), "no history file at " + history
                    + "; semel verify writes <run dir>/history.jsonl and <report dir>/<guarantee>.history.jsonl");
        }
        if (minConfirmed != null && minConfirmed < 1) {
            throw new ParameterException(spec.commandLine(), "--min-confirmed must be at least 1, got " + minConfirmed);
        }
        HistoryCheck.Recheck r;
        try {
            r = minConfirmed != null ? HistoryCheck.recheck(history, new CheckerOptions(minConfirmed))
                    : HistoryCheck.recheck(history);
        } catch (HistoryFormatException e) {
            throw new IOException(history + " is not a valid history: " + e.getMessage()
                    + " (fix or cut the line; a harness crash can leave a torn last line)", e);
        }
        RunSummary s = r.summary();
        out.println("semel check: " + history + " (" + r.events() + " events, " + s.guarantee().wireName()
                + (r.header().seed() != null ? ", seed " + r.header().seed() : "") + ", minConfirmed "
                + r.options().minConfirmed() + ")");
        out.println(TerminalReport.table(s));
        out.println("faults injected by kind: " + s.faultsByKind());
        if (json != null) {
            JsonReport.write(s, json);
            out.println("json: " + json);
        }
        if (html != null) {
            HtmlReport.write("semel check " + history.getFileName(), List.of(s), html);
            out.println("html: " + html);
        }
        return s.result().verdict() == Verdict.VALID ? 0 : Semel.EXIT_FAILURE;
    }
}
