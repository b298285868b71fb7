package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.RunSchedule;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportsTest {
    private static final Checker CHECKER = new Checker(new CheckerOptions(2));
    private static final FaultSchedule SCHEDULE = RunSchedule.plan(11, Duration.ofSeconds(60),
            Set.of(FaultKind.KILL, FaultKind.DROP_AFTER_REQUEST), 3_500);

    private static RunSummary run(Guarantee g, CheckResult r) {
        return new RunSummary(g, 11, Duration.ofSeconds(8), SCHEDULE, r, List.of(5L, 9L, 0L, 3L, 12L, 12L, 7L, 1L),
                List.of(new InjectedFault(EventValue.Nemesis.KILL, List.of("c1"), 1_500, 2_500),
                        new InjectedFault("drop-after-request", List.of("proxy-p1"), 4_000, 5_200),
                        new InjectedFault("drop-after-request", List.of("proxy-p1"), 6_000, InjectedFault.NOT_HEALED)));
    }

    private static RunSummary exactlyOnce() {
        return run(Guarantee.EXACTLY_ONCE, CHECKER.check(Fixtures.cleanExactlyOnce().build()));
    }

    /** m1 logged twice. */
    private static RunSummary atLeastOnce() {
        return run(Guarantee.AT_LEAST_ONCE,
                CHECKER.check(Fixtures.cleanRun(Guarantee.AT_LEAST_ONCE).addLogRecord(0, 3, "m1").build()));
    }

    /** m2 confirmed, delivered and acked, never applied. */
    private static RunSummary atMostOnce() {
        return run(Guarantee.AT_MOST_ONCE, CHECKER.check(Fixtures.lossAfterAck(Guarantee.AT_MOST_ONCE).build()));
    }

    @Test
    void jsonListsOverlappingFaultsAsGroupsAndPairs() throws Exception {
        InjectedFault kill = new InjectedFault(EventValue.Nemesis.KILL, List.of("c1"), 1_000, 3_000);
        InjectedFault drop = new InjectedFault("drop-after-request", List.of("proxy-p1"), 2_000, 4_000);
        InjectedFault later = new InjectedFault("pause", List.of("p1"), 6_000, InjectedFault.NOT_HEALED);
        RunSummary s = new RunSummary(Guarantee.EXACTLY_ONCE, 11, Duration.ofSeconds(8), SCHEDULE,
                CHECKER.check(Fixtures.cleanExactlyOnce().build()), List.of(1L), List.of(kill, drop, later));

        JsonNode run = new ObjectMapper().readTree(JsonReport.render(s)).get("run");

        assertThat(run.get("faultsInjected")).hasSize(3);
        assertThat(run.get("overlaps")).hasSize(1);
        assertThat(run.get("overlaps").get(0)).hasSize(2);
        assertThat(run.get("overlappingPairs")).hasSize(1);
        JsonNode pair = run.get("overlappingPairs").get(0);
        assertThat(pair.get(0).get("fault").asText()).isEqualTo(EventValue.Nemesis.KILL);
        assertThat(pair.get(0).get("targets").get(0).asText()).isEqualTo("c1");
        assertThat(pair.get(0).get("startMs").asLong()).isEqualTo(1_000);
        assertThat(pair.get(1).get("fault").asText()).isEqualTo("drop-after-request");
        assertThat(pair.get(1).get("stopMs").asLong()).isEqualTo(4_000);
        assertThat(run.get("faultsInjected").get(2).get("stopMs").asLong()).isEqualTo(InjectedFault.NOT_HEALED);
    }

    private static List<RunSummary> three() {
        return List.of(atMostOnce(), exactlyOnce(), atLeastOnce());
    }

    @Test
    void singleResultTableHasEveryCountAndTheVerdict() {
        CheckResult r = atMostOnce().result();
        String table = TerminalReport.table(r);
        assertThat(table).contains("at-most-once").doesNotContain("\u001b[");
        assertThat(table.lines()).contains("sent                   5", "confirmed              2", "lost                   1",
                "duplicated             0", "verdict            valid");
        assertThat(r.verdict()).isEqualTo(Verdict.VALID);
        assertThat(table).contains("  - lost: 1");
    }

    @Test
    void sideBySideOrdersColumnsByGuaranteeAndAlignsThem() {
        String table = TerminalReport.sideBySide(three());
        List<String> lines = table.lines().toList();
        assertThat(lines.get(0)).matches("\\s+exactly-once\\s+at-least-once\\s+at-most-once");
        assertThat(lines).anyMatch(l -> l.matches("sent {10,}5 {14}5 {13}5"))
                .anyMatch(l -> l.matches("lost {10,}0 {14}0 {13}1"))
                .anyMatch(l -> l.matches("duplicated {4,}0 {14}1 {13}0"))
                .anyMatch(l -> l.matches("faults injected {2,}3 {14}3 {13}3"));
        assertThat(lines.get(lines.size() - 1)).startsWith("verdict").contains("valid");
        assertThat(lines.stream().mapToInt(String::length).max().getAsInt()).isEqualTo(lines.get(0).length());
        assertThat(exactlyOnce().result().verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void sideBySideShowsAMissingGuaranteeAsADashOnlyWhenThreeAreExpected() {
        assertThat(TerminalReport.sideBySide(List.of(exactlyOnce())).lines().findFirst().orElseThrow())
                .doesNotContain("at-most-once");
        assertThatThrownBy(() -> TerminalReport.sideBySide(List.of(exactlyOnce(), exactlyOnce())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two runs for exactly-once");
        assertThat(TerminalReport.table(atLeastOnce())).contains("faults injected").contains("at-least-once");
    }

    @Test
    void jsonHasTheCheckResultAndTheRunMetadata(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.json");
        JsonReport.write(atLeastOnce(), file);
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        assertThat(root.at("/run/seed").asLong()).isEqualTo(11);
        assertThat(root.at("/run/durationMs").asLong()).isEqualTo(8_000);
        assertThat(root.at("/run/throughput/peakPerSecond").asLong()).isEqualTo(12);
        assertThat(root.at("/run/throughput/meanPerSecond").asDouble()).isEqualTo(6.1);
        assertThat(root.at("/run/throughput/perSecond")).hasSize(8);
        assertThat(root.at("/run/faultsInjectedByKind/drop-after-request").asLong()).isEqualTo(2);
        assertThat(root.at("/run/faultsInjected/2/stopMs").asLong()).isEqualTo(-1);
        assertThat(root.at("/run/schedule/faults")).hasSize(SCHEDULE.faults().size());
        assertThat(root.at("/check")).isEqualTo(new ObjectMapper().readTree(atLeastOnce().result().toJson()));
        assertThat(root.at("/check/anomalies/dup-log/count").asInt()).isEqualTo(1);
    }

    @Test
    void htmlIsWellFormedSelfContainedAndHasTwoChartsPerRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.html");
        HtmlReport.write("Semel <verify> & friends", three(), file);
        String html = Files.readString(file);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        long charts = java.util.stream.IntStream.range(0, doc.getElementsByTagName("svg").getLength())
                .mapToObj(i -> (org.w3c.dom.Element) doc.getElementsByTagName("svg").item(i))
                .filter(e -> !e.getAttribute("class").equals("lanes")).count();
        assertThat(charts).as("outcomes + timeline per run").isEqualTo(6);
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(3);
        assertThat(html).doesNotContainIgnoringCase("http").doesNotContainIgnoringCase("<script")
                .doesNotContain("src=").doesNotContain("href=");
        assertThat(doc.getElementsByTagName("style").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("Semel <verify> & friends");
        long bands = html.lines().filter(l -> l.startsWith("<rect class=\"band\"")).count();
        assertThat(bands).isEqualTo(9);
        assertThat(html.indexOf("id=\"run-exactly-once\"")).isLessThan(html.indexOf("id=\"run-at-least-once\""));
    }

    @Test
    void htmlListsAnomalyExamplesWithTheirEvents() throws Exception {
        String html = HtmlReport.render("r", List.of(atMostOnce()));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getElementsByTagName("table").getLength()).isGreaterThan(1);
        assertThat(html).contains("<h3>lost: 1 (counted, not fatal)</h3>").contains("<td>m2</td>")
                .contains("&quot;id&quot;:&quot;m2&quot;");
    }

    @Test
    void everyAnomalyKindIsExplainedAndTheExplanationIsOnThePage() {
        for (io.semel.verify.checker.AnomalyKind k : io.semel.verify.checker.AnomalyKind.values()) {
            assertThat(AnomalyExplanations.of(k)).as(k.wireName()).hasSizeGreaterThan(30);
        }
        String html = HtmlReport.render("r", List.of(atMostOnce()));
        assertThat(html).contains("<p class=\"explain\">" + Html.escape(AnomalyExplanations.of(
                io.semel.verify.checker.AnomalyKind.LOST)) + "</p>");
    }

    @Test
    void eachExampleIsDrawnAsSwimLanesOneLanePerProcessOneDotPerEvent() throws Exception {
        RunSummary run = atMostOnce();
        var example = run.result().anomalies().values().stream().filter(io.semel.verify.checker.Anomaly::found)
                .flatMap(a -> a.examples().stream()).filter(e -> !e.events().isEmpty()).findFirst().orElseThrow();
        String svg = SwimLanes.render("t", example.events());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        long procs = example.events().stream().map(io.semel.verify.history.HistoryEvent::proc).distinct().count();
        assertThat(doc.getElementsByTagName("line").getLength()).isEqualTo((int) procs);
        assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(example.events().size());
        for (var ev : example.events()) {
            assertThat(svg).contains("class=\"ev " + ev.type().wireName() + "\"")
                    .contains(">" + Html.escape(ev.f().wireName() + " " + ev.type().wireName()) + "<");
        }
        assertThat(HtmlReport.render("r", List.of(run))).contains("<svg class=\"lanes\"")
                .contains("<summary>history lines</summary>");
    }
}
