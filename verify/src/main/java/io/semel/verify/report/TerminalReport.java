package io.semel.verify.report;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Counts;
import io.semel.verify.history.Guarantee;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Plain-text tables for a terminal: aligned columns, numbers right-aligned, no ANSI escapes. Stateless.
 *
 * <pre>
 *                  exactly-once  at-least-once  at-most-once
 * sent                     1000           1000          1000
 * ...
 * verdict                 valid        invalid       invalid
 * </pre>
 */
public final class TerminalReport {
    /** Column order of the side-by-side table: the strongest guarantee first. */
    public static final List<Guarantee> COLUMN_ORDER =
            List.of(Guarantee.EXACTLY_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE);
    private static final String MISSING = "-";

    private TerminalReport() {
    }

    private record Row(String label, Function<RunSummary, String> cell) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("sent", s -> num(s.result().counts().attempted())),
            new Row("confirmed", s -> num(s.result().counts().confirmed())),
            new Row("unknown", s -> num(s.result().counts().unknown())),
            new Row("applied", s -> num(s.result().counts().applied())),
            new Row("lost", s -> num(s.result().counts().lost())),
            new Row("duplicated", s -> num(s.result().counts().duplicated())),
            new Row("faults injected", s -> num(s.faults().size())),
            new Row("unknown, in log", s -> num(s.result().counts().recovered())),
            new Row("producer stops", s -> num(s.health().producerStops())),
            new Row("child lines torn", s -> s.health().tornCell()),
            new Row("child lines rejected", s -> num(s.health().rejectedLines())),
            new Row("relay output", s -> s.health().outputCell()),
            new Row("verdict", s -> s.verdict().wireName()));

    /** One result without run data: every row but "faults injected", then the verdict's reasons. */
    public static String table(CheckResult r) {
        Counts c = r.counts();
        List<List<String>> rows = List.of(
                List.of("", r.guarantee().wireName()),
                List.of("sent", num(c.attempted())), List.of("confirmed", num(c.confirmed())),
                List.of("unknown", num(c.unknown())), List.of("applied", num(c.applied())),
                List.of("lost", num(c.lost())), List.of("duplicated", num(c.duplicated())),
                List.of("verdict", r.verdict().wireName()));
        return align(rows) + reasons(r);
    }

    /** One run, with its faults, then the verdict's reasons, then the faults that overlapped. */
    public static String table(RunSummary s) {
        StringBuilder sb = new StringBuilder(sideBySide(List.of(s)));
        s.reasons().forEach(reason -> sb.append("  - ").append(reason).append('\n'));
        return sb + overlaps(s);
    }

    /** One line per pair of faults that were on at the same time: each with its targets, start and end. */
    public static String overlaps(RunSummary s) {
        List<FaultOverlaps.Pair> pairs = s.overlappingPairs();
        StringBuilder sb = new StringBuilder("overlapping faults: " + pairs.size() + " pair(s) in "
                + s.overlaps().size() + " group(s)\n");
        long endMs = s.duration().toMillis();
        pairs.forEach(p -> sb.append("  * ").append(FaultOverlaps.describe(List.of(p.first(), p.second()), endMs)
                .replace(" + ", " overlaps ")).append('\n'));
        return sb.toString();
    }

    /**
     * Runs side by side, one column per guarantee in {@link #COLUMN_ORDER}; a guarantee without a run shows
     * "-". At most one run per guarantee.
     */
    public static String sideBySide(List<RunSummary> runs) {
        Map<Guarantee, RunSummary> byGuarantee = new EnumMap<>(Guarantee.class);
        for (RunSummary s : runs) {
            if (byGuarantee.put(s.guarantee(), s) != null) {
                throw new IllegalArgumentException("two runs for " + s.guarantee().wireName() + "; one per guarantee");
            }
        }
        List<Guarantee> columns = COLUMN_ORDER.stream().filter(g -> runs.size() == 3 || byGuarantee.containsKey(g))
                .sorted(Comparator.comparingInt(COLUMN_ORDER::indexOf)).toList();
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of(""));
        columns.forEach(g -> header.add(g.wireName()));
        rows.add(header);
        for (Row row : ROWS) {
            List<String> cells = new ArrayList<>(List.of(row.label()));
            columns.forEach(g -> cells.add(byGuarantee.containsKey(g) ? row.cell().apply(byGuarantee.get(g)) : MISSING));
            rows.add(cells);
        }
        return align(rows);
    }

    private static String reasons(CheckResult r) {
        StringBuilder sb = new StringBuilder();
        r.reasons().forEach(reason -> sb.append("  - ").append(reason).append('\n'));
        return sb.toString();
    }

    /** First column left-aligned, the others right-aligned, two spaces between columns. */
    static String align(List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder(pad(row.get(0), width[0], false));
            for (int i = 1; i < cols; i++) {
                line.append("  ").append(pad(row.get(i), width[i], true));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    private static String num(long n) {
        return Long.toString(n);
    }
}
