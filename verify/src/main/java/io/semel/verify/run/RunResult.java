package io.semel.verify.run;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.report.RunSummary;
import java.nio.file.Path;

/**
 * What one {@link VerifyRun} produced. Immutable.
 *
 * @param summary the reports' input, with the checker's result
 * @param history the history file
 * @param tornLines child event lines dropped because their stream ended mid-line (see {@code RunHealth} for which
 *     are explained)
 * @param rejectedLines child event lines that did not decode or broke a history rule (a harness bug if not 0)
 * @param processorStarts processor generations started (1 + restarts)
 */
public record RunResult(RunSummary summary, Path history, long tornLines, long rejectedLines, int processorStarts) {
    public CheckResult check() {
        return summary.result();
    }
}
