package io.semel.verify.report;

import io.semel.verify.checker.Anomaly;
import io.semel.verify.checker.AnomalyExample;
import io.semel.verify.checker.Counts;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.internal.HistoryCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page for one or more runs: inline CSS, inline SVG, no JavaScript, no external
 * reference, so it opens offline and can be attached to a bug. The markup is also well-formed XML.
 *
 * <p>Layout: the side-by-side table; one outcome bar chart per run; per run its timeline (faults as bands,
 * confirmed sends per second as a line), the verdict's reasons and a table of examples per anomaly found
 * (at most {@link #EXAMPLES_SHOWN_MAX} per kind), each kind explained in a sentence ({@link
 * AnomalyExplanations}) and each example drawn as swim lanes ({@link SwimLanes}) above its history lines;
 * with the run's history, a latency panel ({@link LatencyPanel}).
 * Stateless.
 */
public final class HtmlReport {
    /** Examples shown per anomaly kind; the JSON report has all the checker kept. */
    public static final int EXAMPLES_SHOWN_MAX = 5;
    private static final String CSS = """
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; vertical-align: top; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .valid { color: #1a7f37; font-weight: bold; } .invalid { color: #cf222e; font-weight: bold; }
            .trivial, .unknown { color: #9a6700; font-weight: bold; }
            .charts { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; } figcaption { text-align: center; }
            svg text { font-size: 11px; fill: #333; }
            rect.bar { fill: #3182bd; } rect.bar.bad { fill: #cf222e; }
            rect.band { opacity: 0.35; } polyline.throughput { fill: none; stroke: #111; stroke-width: 1.5; }
            line.axis { stroke: #888; } pre { margin: 0; font-size: 11px; white-space: pre-wrap; }
            p.explain { margin: 0 0 0.4em; color: #444; max-width: 60em; }
            """ + SwimLanes.css();

    private HtmlReport() {
    }

    public static String render(String title, List<RunSummary> runs) {
        return render(title, runs, Map.of(), null);
    }

    /**
     * With a latency panel for each run whose guarantee has one in {@code latencies}, and, when {@code command}
     * is not null, the command line and version that reproduce the runs.
     */
    public static String render(String title, List<RunSummary> runs, Map<Guarantee, LatencyPanel> latencies,
            String command) {
        List<RunSummary> ordered = runs.stream()
                .sorted(Comparator.comparingInt(s -> TerminalReport.COLUMN_ORDER.indexOf(s.guarantee()))).toList();
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        sb.append("<title>").append(Html.escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n");
        sb.append("</head>\n<body>\n<h1>").append(Html.escape(title)).append("</h1>\n");
        if (command != null) {
            sb.append("<p class=\"reproduce\">Reproduce with <code>").append(Html.escape(command))
                    .append("</code> (").append(Html.escape(ReportVersion.describe())).append(")</p>\n");
        }
        summaryTable(sb, ordered);
        sb.append("<h2>Outcomes</h2>\n<div class=\"charts\">\n");
        for (RunSummary s : ordered) {
            sb.append("<figure>\n").append(outcomeChart(s)).append("<figcaption>")
                    .append(Html.escape(s.guarantee().wireName())).append("</figcaption>\n</figure>\n");
        }
        sb.append("</div>\n");
        ordered.forEach(s -> runSection(sb, s, latencies.get(s.guarantee())));
        return sb.append("</body>\n</html>\n").toString();
    }

    public static void write(String title, List<RunSummary> runs, Path file) throws IOException {
        write(title, runs, Map.of(), null, file);
    }

    public static void write(String title, List<RunSummary> runs, Map<Guarantee, LatencyPanel> latencies,
            String command, Path file) throws IOException {
        Files.writeString(file, render(title, runs, latencies, command), StandardCharsets.UTF_8);
    }

    private static void summaryTable(StringBuilder sb, List<RunSummary> runs) {
        sb.append("<table class=\"summary\">\n<tr><th></th>");
        runs.forEach(s -> sb.append("<th>").append(Html.escape(s.guarantee().wireName())).append("</th>"));
        sb.append("</tr>\n");
        row(sb, "sent", runs.stream().map(s -> s.result().counts().attempted()).toList());
        row(sb, "confirmed", runs.stream().map(s -> s.result().counts().confirmed()).toList());
        row(sb, "unknown", runs.stream().map(s -> s.result().counts().unknown()).toList());
        row(sb, "applied", runs.stream().map(s -> s.result().counts().applied()).toList());
        row(sb, "lost", runs.stream().map(s -> s.result().counts().lost()).toList());
        row(sb, "duplicated", runs.stream().map(s -> s.result().counts().duplicated()).toList());
        row(sb, "faults injected", runs.stream().map(s -> (long) s.faults().size()).toList());
        row(sb, "unknown, in log", runs.stream().map(s -> s.result().counts().recovered()).toList());
        row(sb, "producer stops", runs.stream().map(s -> s.health().producerStops()).toList());
        row(sb, "child lines torn", runs.stream().map(s -> s.health().tornLines()).toList());
        row(sb, "child lines torn, unexplained", runs.stream().map(s -> s.health().tornUnexplained()).toList());
        row(sb, "child lines rejected", runs.stream().map(s -> s.health().rejectedLines()).toList());
        sb.append("<tr><th>verdict</th>");
        runs.forEach(s -> sb.append("<td class=\"").append(s.verdict().wireName()).append("\">")
                .append(s.verdict().wireName()).append("</td>"));
        sb.append("</tr>\n</table>\n");
    }

    private static void row(StringBuilder sb, String label, List<Long> values) {
        sb.append("<tr><th>").append(label).append("</th>");
        values.forEach(v -> sb.append("<td class=\"num\">").append(v).append("</td>"));
        sb.append("</tr>\n");
    }

    private static String outcomeChart(RunSummary s) {
        Counts c = s.result().counts();
        return Svg.bars("outcomes, " + s.guarantee().wireName(), List.of(
                new Svg.Bar("sent", c.attempted(), false), new Svg.Bar("confirmed", c.confirmed(), false),
                new Svg.Bar("unknown", c.unknown(), false), new Svg.Bar("applied", c.applied(), false),
                new Svg.Bar("lost", c.lost(), true), new Svg.Bar("duplicated", c.duplicated(), true)));
    }

    private static void runSection(StringBuilder sb, RunSummary s, LatencyPanel latency) {
        String g = s.guarantee().wireName();
        sb.append("<h2 id=\"run-").append(g).append("\">").append(g).append(": <span class=\"")
                .append(s.verdict().wireName()).append("\">").append(s.verdict().wireName())
                .append("</span></h2>\n");
        sb.append(String.format(Locale.ROOT, "<p>seed %d, %.1f s, %d faults injected, %.1f confirmed/s mean, %d peak</p>%n",
                s.seed(), s.duration().toMillis() / 1000.0, s.faults().size(), s.meanThroughput(), s.peakThroughput()));
        if (!s.reasons().isEmpty()) {
            sb.append("<ul>\n");
            s.reasons().forEach(r -> sb.append("<li>").append(Html.escape(r)).append("</li>\n"));
            sb.append("</ul>\n");
        }
        sb.append("<figure>\n").append(Svg.timeline("timeline, " + g, s.duration().toMillis(), s.confirmedPerSecond(),
                s.faults())).append("<figcaption>faults (bands) and confirmed sends per second (line)</figcaption>\n")
                .append("</figure>\n");
        if (latency != null) {
            sb.append(latency.render(g));
        }
        List<Anomaly> found = s.result().anomalies().values().stream().filter(Anomaly::found).toList();
        for (Anomaly a : found) {
            sb.append("<h3>").append(a.kind().wireName()).append(": ").append(a.count())
                    .append(a.fatal() ? " (fatal)" : " (counted, not fatal)").append("</h3>\n");
            sb.append("<p class=\"explain\">").append(Html.escape(AnomalyExplanations.of(a.kind()))).append("</p>\n");
            sb.append("<table class=\"anomaly\">\n<tr><th>subject</th><th>detail</th><th>related events</th></tr>\n");
            a.examples().stream().limit(EXAMPLES_SHOWN_MAX).forEach(e -> exampleRow(sb, e));
            sb.append("</table>\n");
        }
    }

    private static void exampleRow(StringBuilder sb, AnomalyExample e) {
        sb.append("<tr><td>").append(Html.escape(e.subject())).append("</td><td>").append(Html.escape(e.detail()))
                .append("</td><td>");
        if (!e.events().isEmpty()) {
            sb.append(SwimLanes.render("events of " + e.subject(), e.events()));
        }
        // The exact history lines stay one click away: the lanes are a picture, these are the data.
        sb.append("<details><summary>history lines</summary><pre>");
        for (HistoryEvent ev : e.events()) {
            sb.append(Html.escape(HistoryCodec.encode(ev))).append('\n');
        }
        sb.append("</pre></details></td></tr>\n");
    }
}
