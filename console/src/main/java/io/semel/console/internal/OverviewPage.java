package io.semel.console.internal;

import io.semel.broker.group.GroupNames;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Broker health, totals, and the throughput and fsync charts (drawn by console.js from /api/metrics). */
final class OverviewPage implements Page {
    private final ConsoleContext ctx;

    OverviewPage(ConsoleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String path() {
        return "/";
    }

    @Override
    public String title() {
        return "Overview";
    }

    @Override
    public void render(Query query, Html out) {
        List<BrokerView.TopicRow> topics = ctx.view().topics();
        List<BrokerView.GroupRow> groups;
        String health = "serving";
        try {
            groups = ctx.view().groups();
        } catch (IllegalStateException e) {
            // Topics answer, groups do not (rebuilding after a storage failure, or overloaded): say so, show the rest.
            groups = List.of();
            health = "degraded: " + e.getMessage();
        }
        long partitions = topics.stream().mapToLong(t -> t.partitions().size()).sum();
        long records = topics.stream().filter(t -> !t.name().endsWith(GroupNames.DLQ_SUFFIX))
                .mapToLong(BrokerView.TopicRow::records).sum();
        long deadLetters = topics.stream().filter(t -> t.name().endsWith(GroupNames.DLQ_SUFFIX))
                .mapToLong(BrokerView.TopicRow::records).sum();
        long members = groups.stream().mapToLong(g -> g.members().size()).sum();
        long lag = groups.stream().mapToLong(BrokerView.GroupRow::lag).sum();
        SampleRing.Point[] points = ctx.samples().snapshot();
        SampleRing.Point last = points.length == 0 ? null : points[points.length - 1];
        Duration up = Duration.ofMillis(ctx.clock().millis() - ctx.startedAtMs());

        out.raw("<h1>Overview</h1><section class=\"cards\">");
        card(out, "health", "Broker", health);
        card(out, "address", "Address", ctx.broker().host() + ":" + ctx.broker().port());
        card(out, "uptime", "Console up", up.toSeconds() + " s");
        card(out, "topics", "Topics", topics.size());
        card(out, "partitions", "Partitions", partitions);
        card(out, "records", "Records (excl. DLQ)", records);
        card(out, "dead-letters", "Dead letters", deadLetters);
        card(out, "groups", "Groups", groups.size());
        card(out, "members", "Members", members);
        card(out, "lag", "Total lag", lag);
        card(out, "rate", "Records/s (last)", last == null ? "-"
                : String.format(Locale.ROOT, "%.1f", last.recordsPerSec()));
        card(out, "fsync-rate", "fsyncs/s (last)", last == null || last.fsyncsPerSec() < 0 ? "n/a"
                : String.format(Locale.ROOT, "%.1f", last.fsyncsPerSec()));
        out.raw("</section>");
        out.raw("<section><h2>Throughput, records appended per second</h2>")
                .raw("<svg class=\"chart\" id=\"chart-records\" data-series=\"records\" viewBox=\"0 0 600 160\" "
                        + "preserveAspectRatio=\"none\"></svg></section>");
        out.raw("<section><h2>fsync: per second and max latency (ms)</h2>");
        if (!ctx.fsyncAvailable()) {
            out.raw("<p class=\"note\">fsync counts are not available: the JDK flight recorder did not start.</p>");
        }
        out.raw("<svg class=\"chart\" id=\"chart-fsyncs\" data-series=\"fsyncs\" viewBox=\"0 0 600 160\" "
                + "preserveAspectRatio=\"none\"></svg>")
                .raw("<svg class=\"chart\" id=\"chart-fsync-max\" data-series=\"fsyncMaxMs\" viewBox=\"0 0 600 160\" "
                        + "preserveAspectRatio=\"none\"></svg>");
        out.raw("<p class=\"note\">History: ").text(points.length).raw(" samples, one every ")
                .text(ctx.config().sampleIntervalMs()).raw(" ms (at most ").text(ctx.config().historySamplesMax())
                .raw(").</p></section>");
    }

    private static void card(Html out, String id, String label, Object value) {
        out.raw("<div class=\"card\"><div class=\"label\">").text(label).raw("</div>")
                .el("div", "ov-" + id, value).raw("</div>");
    }
}
