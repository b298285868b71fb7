package io.semel.verify.report;

import java.util.List;
import java.util.Locale;

/**
 * The two inline SVG charts of the HTML report, as well-formed XML without namespace declarations (HTML
 * puts inline {@code <svg>} in the SVG namespace by itself), so the page needs no external reference.
 * Stateless.
 */
final class Svg {
    static final int BAR_WIDTH_PX = 360;
    static final int BAR_HEIGHT_PX = 220;
    static final int TIMELINE_WIDTH_PX = 860;
    static final int TIMELINE_HEIGHT_PX = 220;
    private static final int MARGIN_LEFT_PX = 50;
    private static final int MARGIN_BOTTOM_PX = 30;
    /** Room above the plot for two legend rows. */
    private static final int MARGIN_TOP_PX = 36;
    private static final int LEGEND_ROW_PX = 15;
    /** Estimated width of one legend character at the stylesheet's 11 px font. */
    private static final int LEGEND_CHAR_PX = 7;
    private static final String[] PALETTE = {"#e6550d", "#3182bd", "#31a354", "#756bb1", "#d6616b", "#8c6d31",
        "#17becf", "#bcbd22", "#7f7f7f"};

    private Svg() {
    }

    record Bar(String label, long value, boolean bad) {
    }

    /** Vertical bars with their values on top. */
    static String bars(String title, List<Bar> bars) {
        long max = Math.max(1, bars.stream().mapToLong(Bar::value).max().orElse(1));
        int plotH = BAR_HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX;
        int slot = (BAR_WIDTH_PX - 20) / bars.size();
        StringBuilder sb = open(BAR_WIDTH_PX, BAR_HEIGHT_PX, title);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double h = plotH * (double) b.value() / max;
            double x = 10 + i * slot + slot * 0.15;
            double y = MARGIN_TOP_PX + plotH - h;
            sb.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                    + "<title>%s: %d</title></rect>%n", b.bad() && b.value() > 0 ? "bar bad" : "bar", x, y, slot * 0.7, h,
                    Html.escape(b.label()), b.value()));
            sb.append(text(x + slot * 0.35, y - 4, "middle", Long.toString(b.value())));
            sb.append(text(x + slot * 0.35, BAR_HEIGHT_PX - 10, "middle", b.label()));
        }
        return sb.append("</svg>\n").toString();
    }

    /** Fault bands behind a throughput line; x in seconds from the start of the run. */
    static String timeline(String title, long durationMs, List<Long> perSecond, List<InjectedFault> faults) {
        double seconds = Math.max(1, Math.max(durationMs / 1000.0, perSecond.size()));
        long max = Math.max(1, perSecond.stream().mapToLong(Long::longValue).max().orElse(1));
        int plotW = TIMELINE_WIDTH_PX - MARGIN_LEFT_PX - 10;
        int plotH = TIMELINE_HEIGHT_PX - MARGIN_TOP_PX - MARGIN_BOTTOM_PX;
        double bottom = MARGIN_TOP_PX + plotH;
        StringBuilder sb = open(TIMELINE_WIDTH_PX, TIMELINE_HEIGHT_PX, title);
        List<String> kinds = faults.stream().map(InjectedFault::fault).distinct().sorted().toList();
        for (InjectedFault f : faults) {
            double stopMs = f.stopMs() == InjectedFault.NOT_HEALED ? seconds * 1000 : f.stopMs();
            double x0 = MARGIN_LEFT_PX + plotW * f.startMs() / 1000.0 / seconds;
            double w = Math.max(1, plotW * (stopMs - f.startMs()) / 1000.0 / seconds);
            sb.append(String.format(Locale.ROOT, "<rect class=\"band\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                    + "fill=\"%s\"><title>%s %s %d–%s ms</title></rect>%n", x0, MARGIN_TOP_PX, w, plotH,
                    color(kinds.indexOf(f.fault())), Html.escape(f.fault()), Html.escape(String.join(",", f.targets())),
                    f.startMs(), f.stopMs() == InjectedFault.NOT_HEALED ? "end" : Long.toString(f.stopMs())));
        }
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < perSecond.size(); i++) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", MARGIN_LEFT_PX + plotW * (i + 0.5) / seconds,
                    bottom - plotH * (double) perSecond.get(i) / max));
        }
        sb.append("<polyline class=\"throughput\" points=\"").append(points.toString().trim()).append("\"/>\n");
        sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>%n",
                MARGIN_LEFT_PX, bottom, MARGIN_LEFT_PX + plotW, bottom));
        sb.append(text(MARGIN_LEFT_PX - 4, MARGIN_TOP_PX + 4, "end", Long.toString(max)));
        sb.append(text(MARGIN_LEFT_PX - 4, bottom, "end", "0"));
        long step = Math.max(1, Math.round(seconds / 10));
        for (long s = 0; s <= seconds; s += step) {
            sb.append(text(MARGIN_LEFT_PX + plotW * s / seconds, bottom + 16, "middle", s + "s"));
        }
        // Legend: items flow left to right and wrap; widths estimated from the label length.
        int x = MARGIN_LEFT_PX + 10;
        int y = 4;
        for (int i = 0; i < kinds.size(); i++) {
            int itemW = 14 + LEGEND_CHAR_PX * kinds.get(i).length() + 16;
            if (x + itemW > TIMELINE_WIDTH_PX && x > MARGIN_LEFT_PX + 10) {
                x = MARGIN_LEFT_PX + 10;
                y += LEGEND_ROW_PX;
            }
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n", x,
                    y, color(i)));
            sb.append(text(x + 14, y + 9, "start", kinds.get(i)));
            x += itemW;
        }
        return sb.append("</svg>\n").toString();
    }

    private static StringBuilder open(int w, int h, String title) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>%s</title>%n", w, h, w, h,
                Html.escape(title)));
    }

    private static String text(double x, double y, String anchor, String s) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor,
                Html.escape(s));
    }

    private static String color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }
}
