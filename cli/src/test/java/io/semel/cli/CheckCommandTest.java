package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.HistoryWriter;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.ScheduledFault;
import io.semel.verify.report.HistoryCheck;
import io.semel.verify.report.TerminalReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semel check} on planted history files written with the harness's own {@link HistoryWriter}: the verdict,
 * table and JSON are the checker's, the exit status follows the verdict. (A recorded real run is re-checked in
 * the verify module's {@code ThreeGuaranteesTest}.)
 */
class CheckCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private static Run semel(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Semel.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /**
     * A small clean exactly-once run: m1, m2 confirmed, m3 unknown and logged; c1 commits m1 m2 and crashes before
     * its ack; c2 gets them again, skips them, commits m3. With {@code dupLog} m1 is logged twice.
     */
    private Path plant(String name, boolean dupLog) throws IOException {
        Path file = dir.resolve(name);
        long[] clock = {1_000};
        EventValue.Nemesis crash = new EventValue.Nemesis(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK,
                List.of("c1"), NemesisPhase.START);
        EventValue.Header header = new EventValue.Header(Guarantee.EXACTLY_ONCE,
                List.of(new ScheduledFault(crash.fault(), crash.targets()))).withRun(7, 2);
        try (HistoryWriter w = new HistoryWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                () -> clock[0] += 1_000_000, header)) {
            send(w, "p1.l1.0", "m1", 0, 0, true);
            send(w, "p1.l1.0", "m2", 0, 1, true);
            send(w, "p1.l2.0", "m3", 0, 2, false);
            w.invoke("c1.g1.0", new EventValue.Deliver("c1", 0, List.of()));
            w.ok("c1.g1.0", new EventValue.Deliver("c1", 1, List.of(new Delivery("m1", 0, 0, 1, 1),
                    new Delivery("m2", 0, 1, 1, 1))));
            EventValue.Apply a1 = new EventValue.Apply("c1", List.of("m1", "m2"), Map.of(0, 2L));
            w.invoke("c1.g1.0", a1);
            w.ok("c1.g1.0", a1);
            w.invoke("c1.g1.crash", crash);
            w.ok("c1.g1.crash", crash);
            w.invoke("c1.g2.0", new EventValue.Deliver("c1", 0, List.of()));
            w.ok("c1.g2.0", new EventValue.Deliver("c1", 2, List.of(new Delivery("m1", 0, 0, 2, 2),
                    new Delivery("m2", 0, 1, 2, 2), new Delivery("m3", 0, 2, 1, 2))));
            EventValue.Apply a2 = new EventValue.Apply("c1", List.of("m3"), Map.of(0, 3L));
            w.invoke("c1.g2.0", a2);
            w.ok("c1.g2.0", a2);
            w.invoke("state-reader", EventValue.ReadState.emptyDuring());
            w.ok("state-reader", EventValue.ReadState.during(Map.of("a", new AccountState(35, List.of("m1", "m2", "m3"))),
                    Map.of(0, 3L)));
            w.invoke("final-drain", new EventValue.DrainLog(List.of()));
            List<LogRecord> log = dupLog
                    ? List.of(new LogRecord(0, 0, "m1"), new LogRecord(0, 1, "m2"), new LogRecord(0, 2, "m3"),
                            new LogRecord(0, 3, "m1"))
                    : List.of(new LogRecord(0, 0, "m1"), new LogRecord(0, 1, "m2"), new LogRecord(0, 2, "m3"));
            w.ok("final-drain", new EventValue.DrainLog(log));
            w.invoke("final-read", EventValue.ReadState.empty());
            w.ok("final-read", new EventValue.ReadState(Map.of("a", new AccountState(35, List.of("m1", "m2", "m3"))),
                    Map.of(0, 3L)));
        }
        return file;
    }

    private static void send(HistoryWriter w, String proc, String id, long partition, long offset, boolean ok)
            throws IOException {
        EventValue.Send s = new EventValue.Send(id, "a", id.equals("m1") ? 10 : id.equals("m2") ? 20 : 5);
        w.invoke(proc, s);
        if (ok) {
            w.ok(proc, s.confirmed(partition, offset));
        } else {
            w.info(proc, s, "no answer within 5500 ms");
        }
    }

    @Test
    void validHistoryExitsZeroAndPrintsTheCheckersTableWithTheRunsThreshold() throws IOException {
        Path file = plant("clean.jsonl", false);
        Run r = semel("check", file.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        String table = TerminalReport.table(HistoryCheck.recheck(HistoryReader.readAll(file)));
        assertThat(r.out()).contains(table).contains("seed 7").contains("minConfirmed 2");
        assertThat(r.out().lines()).anyMatch(l -> l.matches("verdict\\s+valid"));
    }

    @Test
    void invalidHistoryExitsOneAndNamesTheAnomaly() throws IOException {
        Run r = semel("check", plant("dup.jsonl", true).toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_FAILURE);
        assertThat(r.out()).contains("dup-log: 1 (fatal for exactly-once)");
        assertThat(r.out().lines()).anyMatch(l -> l.matches("verdict\\s+invalid"));
    }

    @Test
    void jsonAndHtmlReportsCarryTheCheckersResult() throws IOException {
        Path file = plant("dup.jsonl", true);
        Path json = dir.resolve("out.json");
        Path html = dir.resolve("out.html");
        Run r = semel("check", file.toString(), "--json", json.toString(), "--html", html.toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_FAILURE);
        CheckResult direct = new Checker(new CheckerOptions(2)).check(HistoryReader.readAll(file));
        ObjectMapper m = new ObjectMapper();
        assertThat(m.readTree(json.toFile()).get("check")).isEqualTo(m.readTree(direct.toJson()));
        assertThat(m.readTree(json.toFile()).at("/run/seed").asLong()).isEqualTo(7);
        assertThat(Files.readString(html)).contains("dup-log");
    }

    @Test
    void minConfirmedOptionOverridesTheHeader() throws IOException {
        Run r = semel("check", plant("clean.jsonl", false).toString(), "--min-confirmed", "100");
        assertThat(r.exit()).isEqualTo(Semel.EXIT_FAILURE);
        assertThat(r.out()).contains("only 2 sends confirmed, below the threshold 100");
    }

    @Test
    void brokenHistoryIsAOneLineErrorWithItsLineNumber() throws IOException {
        Path file = plant("torn.jsonl", false);
        int tornLine = Files.readAllLines(file).size() + 1;
        Files.writeString(file, Files.readString(file) + "{\"i\":99,\"tNs\":", StandardCharsets.UTF_8);
        Run r = semel("check", file.toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_FAILURE);
        assertThat(r.err()).startsWith("semel: error: ").contains("history line " + tornLine + ":");
    }

    @Test
    void missingFileIsAUsageError() {
        Run r = semel("check", dir.resolve("nope.jsonl").toString());
        assertThat(r.exit()).isEqualTo(Semel.EXIT_USAGE);
        assertThat(r.err()).contains("no history file at");
    }
}
