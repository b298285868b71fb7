package io.semel.console.internal;

import java.util.Locale;

/**
 * The chart series as JSON, oldest first: {@code {"fsyncAvailable":b,"t":[ms…],"records":[…],"fsyncs":[…],
 * "fsyncMeanMs":[…],"fsyncMaxMs":[…]}}; rates per second, -1 where not available. Stateless.
 */
final class MetricsJson {
    private MetricsJson() {
    }

    static String render(SampleRing.Point[] points, boolean fsyncAvailable) {
        StringBuilder sb = new StringBuilder(64 + points.length * 80);
        sb.append("{\"fsyncAvailable\":").append(fsyncAvailable);
        series(sb, "t", points, 0);
        series(sb, "records", points, 1);
        series(sb, "fsyncs", points, 2);
        series(sb, "fsyncMeanMs", points, 3);
        series(sb, "fsyncMaxMs", points, 4);
        return sb.append('}').toString();
    }

    private static void series(StringBuilder sb, String name, SampleRing.Point[] points, int field) {
        sb.append(",\"").append(name).append("\":[");
        for (int i = 0; i < points.length; i++) {
            SampleRing.Point p = points[i];
            if (i > 0) {
                sb.append(',');
            }
            switch (field) {
                case 0 -> sb.append(p.atMs());
                case 1 -> sb.append(num(p.recordsPerSec()));
                case 2 -> sb.append(num(p.fsyncsPerSec()));
                case 3 -> sb.append(num(p.fsyncMeanMs()));
                default -> sb.append(num(p.fsyncMaxMs()));
            }
        }
        sb.append(']');
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
