package io.semel.verify.report;

import io.semel.verify.checker.Counts;
import io.semel.verify.checker.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A seed sweep as text: one row per seed, then a summary. Stateless.
 *
 * <pre>
 *  seed  confirmed  unknown  lost  duplicated  faults  producer stops  torn lines  verdict
 *     7      2,101       38     0           0      14               0           1  valid
 * </pre>
 */
public final class SweepReport {
    static final List<String> HEADER = List.of("seed", "confirmed", "unknown", "lost", "duplicated", "faults",
            "producer stops", "torn lines", "verdict");

    private SweepReport() {
    }

    /** The table of every run, in the order given. */
    public static String table(List<RunSummary> runs) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        runs.forEach(s -> rows.add(row(s)));
        return alignRight(rows);
    }

    /** One run's row, in {@link #HEADER}'s order. */
    public static List<String> row(RunSummary s) {
        Counts c = s.result().counts();
        return List.of(Long.toString(s.seed()), num(c.confirmed()), num(c.unknown()), num(c.lost()), num(c.duplicated()),
                num(s.faults().size()), num(s.health().producerStops()), s.health().tornCell(), s.verdict().wireName());
    }

    /** Totals, verdicts by kind and the seeds that were not valid (to rerun one with {@code --seed}). */
    public static String summary(List<RunSummary> runs) {
        Map<Verdict, Integer> byVerdict = new EnumMap<>(Verdict.class);
        List<Long> notValid = new ArrayList<>();
        long confirmed = 0;
        long faults = 0;
        for (RunSummary s : runs) {
            byVerdict.merge(s.verdict(), 1, Integer::sum);
            confirmed += s.result().counts().confirmed();
            faults += s.faults().size();
            if (s.verdict() != Verdict.VALID) {
                notValid.add(s.seed());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(runs.size()).append(" seeds: ");
        List<String> parts = new ArrayList<>();
        byVerdict.forEach((v, n) -> parts.add(n + " " + v.wireName()));
        sb.append(String.join(", ", parts)).append("; ").append(num(confirmed)).append(" confirmed sends, ")
                .append(num(faults)).append(" faults injected in all");
        if (notValid.isEmpty()) {
            sb.append("; every seed valid");
        } else {
            sb.append("; not valid: seeds ").append(notValid).append(" (rerun one with --seed N)");
        }
        return sb.toString();
    }

    /** True when every run's verdict is valid (and there is at least one run). */
    public static boolean allValid(List<RunSummary> runs) {
        return !runs.isEmpty() && runs.stream().allMatch(s -> s.verdict() == Verdict.VALID);
    }

    private static String alignRight(List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String cell = row.get(i);
                // The verdict is text: left-aligned, last, so no trailing blanks.
                line.append(i == 0 ? "" : "  ").append(i == cols - 1 ? cell : " ".repeat(width[i] - cell.length()) + cell);
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    private static String num(long n) {
        return String.format("%,d", n);
    }
}
