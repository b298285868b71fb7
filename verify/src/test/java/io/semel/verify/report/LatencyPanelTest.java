package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyPanelTest {
    private static final long MS = 1_000_000;

    private static HistoryEvent ev(long i, long ms, String proc, OpType type, EventValue v) {
        return new HistoryEvent(i, ms * MS, proc, type, v, type == OpType.INFO || type == OpType.FAIL ? "e" : null);
    }

    @Test
    void pairsSendsWithTheirConfirmationAndTheirFirstCommittedApply() {
        EventValue.Send a = new EventValue.Send("a", "k", 1);
        EventValue.Send b = new EventValue.Send("b", "k", 1);
        EventValue.Send c = new EventValue.Send("c", "k", 1);
        List<HistoryEvent> h = List.of(
                ev(1, 0, "p1", OpType.INVOKE, a), ev(2, 2, "p2", OpType.INVOKE, b),
                ev(3, 5, "p1", OpType.OK, a.confirmed(0, 0)), ev(4, 9, "p2", OpType.INFO, b),
                ev(5, 10, "p1", OpType.INVOKE, c), ev(6, 40, "p1", OpType.OK, c.confirmed(0, 1)),
                ev(7, 50, "c1", OpType.INVOKE, new EventValue.Apply("c1", List.of("a", "b"), Map.of(0, 2L))),
                ev(8, 52, "c1", OpType.OK, new EventValue.Apply("c1", List.of("a", "b"), Map.of(0, 2L))),
                // A duplicate apply is not a second latency; an apply that failed is none at all.
                ev(9, 60, "c1", OpType.OK, new EventValue.Apply("c1", List.of("a"), Map.of(0, 2L))),
                ev(10, 70, "c1", OpType.FAIL, new EventValue.Apply("c1", List.of("c"), Map.of(0, 3L))));
        LatencyPanel p = LatencyPanel.from(h);
        assertThat(p.confirmed()).as("a and c confirmed; b unknown").isEqualTo(2);
        assertThat(p.confirmPercentileMs(50)).isEqualTo(5.0);
        assertThat(p.confirmPercentileMs(100)).isEqualTo(30.0);
        assertThat(p.applied()).isEqualTo(2);
        assertThat(p.applyPercentileMs(50)).as("b: sent at 2, applied at 52").isEqualTo(50.0);
        assertThat(p.applyPercentileMs(100)).as("a: sent at 0, applied at 52").isEqualTo(52.0);
        String html = p.render("exactly-once");
        assertThat(html).contains("<th>send → confirmed</th><td class=\"num\">2</td><td class=\"num\">5.0</td>")
                .contains("<svg");
    }

    @Test
    void bucketsCountEveryMessageOnce() {
        long[] ns = {0, MS / 2, 3 * MS, 7 * MS, 700 * MS, 5_000 * MS};
        List<Svg.Bar> bars = LatencyPanel.buckets(ns);
        assertThat(bars).extracting(Svg.Bar::value).containsExactly(2L, 1L, 1L, 0L, 0L, 0L, 1L, 1L);
        assertThat(bars.get(bars.size() - 1).label()).isEqualTo("≥1000");
    }

    @Test
    void theReportShowsTheCommandThatReproducesTheRun() {
        String html = HtmlReport.render("r", List.of(), Map.of(), "semel verify --guarantee at-least-once --seed 7");
        assertThat(html).contains("Reproduce with <code>semel verify --guarantee at-least-once --seed 7</code> (Semel");
    }
}
