package io.semel.verify.report;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The report's latency panel for one run, from its history: how long a send took to be confirmed
 * (send invoke → send ok of the same process and id) and how long a message took to be applied
 * (its first send invoke → the first committed apply holding its id). Times are the harness's
 * monotonic clock, which stamps every event as the harness sees it, child lines included, so they
 * include the pipe from a child process to the harness (under a millisecond) but no clock skew.
 * Immutable.
 *
 * <p>Memory: {@link #from(Path)} streams the history; what grows is 8 bytes per confirmed send and per applied
 * id (the samples) and about 100 bytes per id sent but not applied yet, never the events themselves.
 */
public final class LatencyPanel {
    /** Upper bounds (exclusive) of the histogram's buckets, ms; a last bucket takes everything above. */
    static final long[] BUCKET_BOUNDS_MS = {1, 5, 10, 50, 100, 500, 1000};

    private final long[] confirmNs;
    private final long[] applyNs;

    private LatencyPanel(long[] confirmNs, long[] applyNs) {
        this.confirmNs = confirmNs;
        this.applyNs = applyNs;
    }

    /** Pairs the events of a history (in file order). */
    public static LatencyPanel from(List<HistoryEvent> events) {
        Pairing p = new Pairing();
        events.forEach(p);
        return p.panel();
    }

    /**
     * {@link #from(List)} of a history file, in one streaming pass (see {@link Pairing} for what it keeps).
     *
     * @throws io.semel.verify.history.HistoryFormatException if a line breaks the format (with its line number)
     */
    public static LatencyPanel from(Path historyFile) throws IOException {
        Pairing p = new Pairing();
        HistoryPass.forEach(historyFile, p);
        return p.panel();
    }

    /**
     * Pairs events one at a time, in file order. Memory: one sample (8 bytes) per confirmed send and per applied id,
     * kept for the exact percentiles; an entry per send in flight (until its completion) and per id sent but not yet
     * applied (until its first committed apply; ids never applied stay), about 100 bytes each. Not thread-safe.
     */
    private static final class Pairing implements Consumer<HistoryEvent> {
        private final Map<String, Long> openSends = new HashMap<>();
        private final Map<String, Long> firstSend = new HashMap<>();
        private final Samples confirm = new Samples();
        private final Samples apply = new Samples();

        @Override
        public void accept(HistoryEvent e) {
            if (e.value() instanceof EventValue.Send s) {
                String op = e.proc() + "\u0000" + s.id();
                if (e.type() == OpType.INVOKE) {
                    openSends.put(op, e.tNs());
                    firstSend.putIfAbsent(s.id(), e.tNs());
                } else {
                    Long start = openSends.remove(op);
                    if (start != null && e.type() == OpType.OK) {
                        confirm.add(e.tNs() - start);
                    }
                }
            } else if (e.value() instanceof EventValue.Apply a && e.type() == OpType.OK) {
                for (String id : a.ids()) {
                    Long start = firstSend.remove(id); // the first commit only: a duplicate apply is not a latency
                    if (start != null) {
                        apply.add(e.tNs() - start);
                    }
                }
            }
        }

        LatencyPanel panel() {
            return new LatencyPanel(confirm.sorted(), apply.sorted());
        }
    }

    /** A growable array of nanosecond samples: 8 bytes each, not a boxed {@code Long}. Not thread-safe. */
    private static final class Samples {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.multiplyExact(values.length, 2));
            }
            values[size++] = v;
        }

        long[] sorted() {
            long[] out = Arrays.copyOf(values, size);
            Arrays.sort(out);
            return out;
        }
    }

    /** Nearest-rank percentile in ms; -1 without samples. */
    static double percentileMs(long[] sortedNs, double p) {
        if (sortedNs.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNs.length);
        return sortedNs[Math.max(0, Math.min(sortedNs.length - 1, rank - 1))] / 1e6;
    }

    long confirmed() {
        return confirmNs.length;
    }

    long applied() {
        return applyNs.length;
    }

    double confirmPercentileMs(double p) {
        return percentileMs(confirmNs, p);
    }

    double applyPercentileMs(double p) {
        return percentileMs(applyNs, p);
    }

    /** A table of percentiles and a histogram of send → applied. */
    String render(String guarantee) {
        StringBuilder sb = new StringBuilder("<h3>Latency</h3>\n<table class=\"latency\">\n<tr><th></th><th>samples</th>"
                + "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>\n");
        row(sb, "send → confirmed", confirmNs);
        row(sb, "send → applied (apply ok in the history)", applyNs);
        sb.append("</table>\n");
        if (applyNs.length > 0) {
            sb.append("<figure>\n").append(Svg.bars("send to applied, " + guarantee, buckets(applyNs)))
                    .append("<figcaption>messages by send → applied time (ms)</figcaption>\n</figure>\n");
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, long[] ns) {
        sb.append("<tr><th>").append(Html.escape(label)).append("</th><td class=\"num\">").append(ns.length)
                .append("</td>");
        for (double p : new double[] {50, 90, 99, 100}) {
            double v = percentileMs(ns, p);
            sb.append("<td class=\"num\">").append(v < 0 ? "-" : String.format(Locale.ROOT, "%.1f", v)).append("</td>");
        }
        sb.append("</tr>\n");
    }

    static List<Svg.Bar> buckets(long[] sortedNs) {
        List<Svg.Bar> bars = new ArrayList<>();
        long lowMs = 0;
        for (long highMs : BUCKET_BOUNDS_MS) {
            bars.add(new Svg.Bar("<" + highMs, count(sortedNs, lowMs, highMs), false));
            lowMs = highMs;
        }
        bars.add(new Svg.Bar("≥" + lowMs, count(sortedNs, lowMs, Long.MAX_VALUE / 1_000_000), false));
        return bars;
    }

    private static long count(long[] ns, long fromMs, long toMs) {
        return Arrays.stream(ns).filter(v -> v >= fromMs * 1_000_000 && v < toMs * 1_000_000).count();
    }
}
