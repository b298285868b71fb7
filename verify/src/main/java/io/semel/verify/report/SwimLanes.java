package io.semel.verify.report;

import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One anomaly example as inline SVG swim lanes: one lane per process of its events, each event a
 * dot in its own column in time order (like a sequence diagram: events milliseconds apart would
 * otherwise overlap), labelled with its operation and its time in ms from the example's first event,
 * coloured by outcome (invoke grey, ok green, fail red, info amber), so "sent twice", "acked before
 * applied" and the like can be read at a glance. Well-formed XML, no external reference. Stateless.
 */
final class SwimLanes {
    static final int WIDTH_PX = 860;
    static final int LANE_PX = 40;
    private static final int LABEL_PX = 130;
    private static final int TOP_PX = 20;

    private SwimLanes() {
    }

    static String render(String title, List<HistoryEvent> events) {
        List<String> lanes = new ArrayList<>();
        events.forEach(e -> {
            if (!lanes.contains(e.proc())) {
                lanes.add(e.proc());
            }
        });
        long t0 = events.stream().mapToLong(HistoryEvent::tNs).min().orElse(0);
        long span = Math.max(1, events.stream().mapToLong(HistoryEvent::tNs).max().orElse(0) - t0);
        int height = TOP_PX + lanes.size() * LANE_PX + 18;
        double plotW = WIDTH_PX - LABEL_PX - 60;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"lanes\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n<title>%s</title>%n",
                WIDTH_PX, height, WIDTH_PX, height, Html.escape(title)));
        for (int i = 0; i < lanes.size(); i++) {
            double y = TOP_PX + i * LANE_PX + LANE_PX / 2.0;
            sb.append(String.format(Locale.ROOT, "<line class=\"lane\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>%n",
                    LABEL_PX, y, WIDTH_PX - 10, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%.1f\">%s</text>%n", y + 4,
                    Html.escape(lanes.get(i))));
        }
        List<HistoryEvent> ordered = events.stream().sorted(java.util.Comparator.comparingLong(HistoryEvent::tNs)
                .thenComparingLong(HistoryEvent::i)).toList();
        double column = plotW / Math.max(1, ordered.size() - 1);
        for (int k = 0; k < ordered.size(); k++) {
            HistoryEvent e = ordered.get(k);
            double x = LABEL_PX + 10 + (ordered.size() == 1 ? plotW / 2 : column * k);
            double y = TOP_PX + lanes.indexOf(e.proc()) * LANE_PX + LANE_PX / 2.0;
            String label = e.f().wireName() + " " + e.type().wireName();
            String at = String.format(Locale.ROOT, "%.1f ms", (e.tNs() - t0) / 1e6);
            sb.append(String.format(Locale.ROOT, "<circle class=\"ev %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\"><title>%s</title>"
                    + "</circle>%n", e.type().wireName(), x, y, Html.escape("#" + e.i() + " " + label + " at " + at
                    + (e.error() == null ? "" : ": " + e.error()))));
            // Neighbours' labels alternate above and below the lane so they never overlap.
            double labelY = k % 2 == 0 ? y - 8 : y + 16;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x,
                    labelY, Html.escape(label)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">first event</text><text x=\"%d\" y=\"%d\" "
                + "text-anchor=\"end\">last event, %.1f ms later</text>%n", LABEL_PX + 10, height - 4, WIDTH_PX - 10,
                height - 4, span / 1e6));
        return sb.append("</svg>\n").toString();
    }

    /** CSS for the lanes, appended to the report's stylesheet. */
    static String css() {
        StringBuilder sb = new StringBuilder("line.lane { stroke: #ddd; } circle.ev { stroke: #333; }\n");
        for (OpType t : OpType.values()) {
            String colour = switch (t) {
                case INVOKE -> "#bbb";
                case OK -> "#31a354";
                case FAIL -> "#cf222e";
                case INFO -> "#e6a700";
            };
            sb.append("circle.ev.").append(t.wireName()).append(" { fill: ").append(colour).append("; }\n");
        }
        return sb.toString();
    }
}
