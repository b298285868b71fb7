package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import io.semel.verify.run.RunSchedule;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.testing.Fixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The harness's own findings next to the checker's: unexplained child lines and exactly-once producer stops are
 * counted in every report and make a run not valid even when the checker found nothing.
 */
class RunHealthTest {
    private static final Checker CHECKER = new Checker(new CheckerOptions(2));
    private static final FaultSchedule SCHEDULE = RunSchedule.plan(11, Duration.ofSeconds(60), Set.of(FaultKind.KILL),
            3_500);

    private static RunSummary run(Guarantee g, History h, RunHealth health) {
        CheckResult r = CHECKER.check(h);
        return new RunSummary(g, 11, Duration.ofSeconds(8), SCHEDULE, r, List.of(5L), List.of(), health);
    }

    @Test
    void unexplainedTornOrRejectedChildLinesMakeACleanRunUnknownAndAreInEveryReport() throws Exception {
        History clean = Fixtures.cleanExactlyOnce().build();
        RunSummary s = run(Guarantee.EXACTLY_ONCE, clean, new RunHealth(0, List.of(), 3, 1, 2));

        assertThat(s.result().verdict()).as("the checker alone").isEqualTo(Verdict.VALID);
        assertThat(s.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(s.reasons()).anyMatch(r -> r.contains("1 torn (of 3), 2 rejected"));
        String table = TerminalReport.table(s);
        assertThat(table.lines()).anyMatch(l -> l.matches("child lines torn\\s+3 \\(1 unexplained\\)"))
                .anyMatch(l -> l.matches("child lines rejected\\s+2")).anyMatch(l -> l.matches("verdict\\s+unknown"));
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(s));
        assertThat(json.at("/run/health/tornUnexplained").asLong()).isEqualTo(1);
        assertThat(json.at("/run/health/rejectedLines").asLong()).isEqualTo(2);
        assertThat(json.at("/run/verdict").asText()).isEqualTo("unknown");
        assertThat(HtmlReport.render("r", List.of(s))).contains("<th>child lines torn, unexplained</th><td class=\"num\">1</td>")
                .contains("<span class=\"unknown\">unknown</span>");
    }

    @Test
    void tornLinesExplainedByAKillLeaveTheVerdictAlone() {
        RunSummary s = run(Guarantee.EXACTLY_ONCE, Fixtures.cleanExactlyOnce().build(), new RunHealth(0, List.of(), 2, 0, 0));
        assertThat(s.verdict()).isEqualTo(Verdict.VALID);
        assertThat(TerminalReport.table(s).lines()).anyMatch(l -> l.matches("child lines torn\\s+2"));
    }

    @Test
    void anExactlyOnceProducerStopMakesTheRunInvalidButIsOnlyCountedForTheOtherGuarantees() {
        History eo = withFatalSend(Fixtures.cleanExactlyOnce().build());
        RunHealth health = RunHealth.of(eo, 0, 0, 0);
        assertThat(health.producerStops()).isEqualTo(1);
        assertThat(health.stoppedProducers()).containsExactly("p7");
        RunSummary s = run(Guarantee.EXACTLY_ONCE, eo, health);
        assertThat(s.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(s.reasons()).anyMatch(r -> r.startsWith("exactly-once producer stops: 1 [p7]"));
        assertThat(TerminalReport.table(s).lines()).anyMatch(l -> l.matches("producer stops\\s+1"));

        History alo = withFatalSend(Fixtures.cleanRun(Guarantee.AT_LEAST_ONCE).build());
        RunSummary a = run(Guarantee.AT_LEAST_ONCE, alo, RunHealth.of(alo, 0, 0, 0));
        assertThat(a.health().producerStops()).isEqualTo(1);
        assertThat(a.verdict()).isEqualTo(a.result().verdict());
    }

    @Test
    void aRelayOutputProblemMakesTheRunInvalidForEveryGuarantee() {
        for (Guarantee g : Guarantee.values()) {
            History h = Fixtures.cleanRun(g).build();
            RunHealth clean = RunHealth.of(h, 0, 0, 0).withOutput(12, List.of());
            assertThat(run(g, h, clean).verdict()).as("%s, output clean", g).isEqualTo(run(g, h, RunHealth.NOT_MEASURED)
                    .verdict());
            assertThat(clean.outputCell()).isEqualTo("once each (12)");

            RunSummary s = run(g, h, RunHealth.of(h, 0, 0, 0).withOutput(12, List.of("p1-2 applied 1×, published 2×")));
            assertThat(s.verdict()).as("%s, output duplicated", g).isEqualTo(Verdict.INVALID);
            assertThat(s.reasons()).contains("outbox relay output: p1-2 applied 1×, published 2×");
            assertThat(s.health().outputCell()).isEqualTo("1 problem(s)");
        }
        assertThat(RunHealth.NOT_MEASURED.outputCell()).isEqualTo("-");
    }

    @Test
    void aStopOnLostDedupStateCountsAsAProducerStop() {
        History eo = withFatalSend(Fixtures.cleanExactlyOnce().build(),
                "DedupStateUnknownException: producer 'verify-p7' stops: DEDUP_STATE_UNKNOWN");
        assertThat(RunHealth.of(eo, 0, 0, 0).stoppedProducers()).containsExactly("p7");
    }

    private static History withFatalSend(History h) {
        return withFatalSend(h, "FatalProducerException: producer 'verify-p7' stopped: OUT_OF_ORDER_SEQUENCE");
    }

    /** The history plus one send of producer p7 that failed because the producer stopped. */
    private static History withFatalSend(History h, String error) {
        List<HistoryEvent> events = new ArrayList<>(h.events());
        EventValue.Send send = new EventValue.Send("p7-000001", "a", 3);
        long i = events.get(events.size() - 1).i();
        events.add(new HistoryEvent(i + 1, 0, "p7.l1.0", OpType.INVOKE, send, null));
        events.add(new HistoryEvent(i + 2, 0, "p7.l1.0", OpType.FAIL, send, error));
        return new History(h.header(), events);
    }
}
