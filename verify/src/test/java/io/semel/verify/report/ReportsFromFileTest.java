package io.semel.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.checker.Verdict;
import io.semel.verify.history.AccountState;
import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryFormatException;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.HistoryWriter;
import io.semel.verify.history.LogRecord;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.history.ScheduledFault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-run path and {@code semel check} read the history file in one streaming pass
 * ({@link HistoryCheck#recheck(Path)}, {@link RunHealth#of(Path, long, long, long)}, {@link LatencyPanel#from(Path)}):
 * on a history written by the harness's {@link HistoryWriter}, every report they feed is the same as from the
 * whole history read into memory.
 */
class ReportsFromFileTest {
    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    /**
     * A seeded exactly-once run of {@code sends} messages on four producer lanes, 3 ms apart (so several seconds of
     * confirmations): a nemesis fault already on before the first send and healed mid-run, a kill started and
     * never healed, some sends unknown or failed (p2's fatally: a producer stop), applies in batches of up to five
     * by one consumer, the fourth logged message applied twice (a duplicate the checker must find), the drain and the final read.
     */
    private Path write(String name, int sends, long seed) throws IOException {
        Path file = dir.resolve(name);
        Random rnd = new Random(seed);
        long[] clock = {1_000};
        EventValue.Nemesis partition = new EventValue.Nemesis("partition", List.of("p1"), NemesisPhase.START);
        EventValue.Nemesis kill = new EventValue.Nemesis(EventValue.Nemesis.KILL, List.of("c1"), NemesisPhase.START);
        EventValue.Header header = new EventValue.Header(Guarantee.EXACTLY_ONCE,
                List.of(new ScheduledFault(partition.fault(), partition.targets()),
                        new ScheduledFault(kill.fault(), kill.targets()))).withRun(seed, 10);
        List<String> logged = new ArrayList<>();
        Map<String, Long> offsets = new HashMap<>();
        List<String> pending = new ArrayList<>();
        List<String> applied = new ArrayList<>();
        int[] generation = new int[4];
        int batch = 0;
        try (HistoryWriter w = new HistoryWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8),
                () -> clock[0] += 3 * MS, header)) {
            nemesis(w, "nemesis", partition);
            for (int k = 0; k < sends; k++) {
                int lane = k % 4;
                String proc = "p" + lane + ".l0." + generation[lane];
                String id = "m" + k;
                EventValue.Send s = new EventValue.Send(id, "a" + rnd.nextInt(5), 1 + rnd.nextInt(9));
                w.invoke(proc, s);
                int roll = rnd.nextInt(100);
                if (roll < 85) {
                    w.ok(proc, s.confirmed(0, logged.size()));
                    offsets.put(id, (long) logged.size());
                    logged.add(id);
                    pending.add(id);
                } else if (roll < 92) {
                    w.fail(proc, s, lane == 2 ? RunHealth.FATAL_PRODUCER_ERROR + ": producer fenced" : "rejected: full");
                } else {
                    w.info(proc, s, "no answer within 5500 ms");
                    generation[lane]++;
                }
                if (pending.size() >= 5 || rnd.nextInt(8) == 0) {
                    batch = apply(w, batch, pending, applied, offsets);
                }
                if (k == sends / 2) {
                    nemesis(w, "nemesis", new EventValue.Nemesis(partition.fault(), partition.targets(),
                            NemesisPhase.STOP));
                    nemesis(w, "nemesis", kill);
                }
            }
            apply(w, batch, pending, applied, offsets);
            pending.add(logged.get(3));
            apply(w, batch + 1, pending, applied, offsets);
            w.invoke("final-drain", new EventValue.DrainLog(List.of()));
            List<LogRecord> log = new ArrayList<>();
            for (int o = 0; o < logged.size(); o++) {
                log.add(new LogRecord(0, o, logged.get(o)));
            }
            w.ok("final-drain", new EventValue.DrainLog(log));
            w.invoke("final-read", EventValue.ReadState.empty());
            w.ok("final-read", new EventValue.ReadState(new TreeMap<>(Map.of("a0", new AccountState(0, applied))),
                    Map.of(0, (long) logged.size())));
        }
        return file;
    }

    private static void nemesis(HistoryWriter w, String proc, EventValue.Nemesis n) throws IOException {
        w.invoke(proc, n);
        w.ok(proc, n);
    }

    private static int apply(HistoryWriter w, int batch, List<String> pending, List<String> applied,
            Map<String, Long> offsets) throws IOException {
        long next = offsets.size();
        if (pending.isEmpty()) {
            return batch;
        }
        String proc = "c1.g1." + batch;
        List<Delivery> messages = new ArrayList<>();
        for (String id : pending) {
            messages.add(new Delivery(id, 0, offsets.get(id), 1, 1));
        }
        w.invoke(proc, new EventValue.Deliver("c1", 0, List.of()));
        w.ok(proc, new EventValue.Deliver("c1", 1, messages));
        EventValue.Apply a = new EventValue.Apply("c1", List.copyOf(pending), Map.of(0, next));
        w.invoke(proc, a);
        w.ok(proc, a);
        applied.addAll(pending);
        pending.clear();
        return batch + 1;
    }

    @Test
    void recheckOfTheFileEqualsTheRecheckOfTheWholeHistoryInMemory() throws IOException {
        Path file = write("h.jsonl", 2_000, 42);
        History h = HistoryReader.readAll(file);

        HistoryCheck.Recheck streamed = HistoryCheck.recheck(file);
        RunSummary inMemory = HistoryCheck.recheck(h);

        assertThat(streamed.events()).isEqualTo(h.events().size());
        assertThat(streamed.header()).isEqualTo(h.header());
        assertThat(streamed.options().minConfirmed()).isEqualTo(10);
        RunSummary s = streamed.summary();
        assertThat(s.confirmedPerSecond()).as("several seconds of confirmations").hasSizeGreaterThan(3)
                .isEqualTo(inMemory.confirmedPerSecond());
        assertThat(s.faults()).as("the partition healed, the kill not").hasSize(2).isEqualTo(inMemory.faults());
        assertThat(s.faults().get(0).startMs()).as("on before time zero: clamped to 0").isZero();
        assertThat(s.result().verdict()).as("a message applied twice").isEqualTo(Verdict.INVALID);
        assertThat(TerminalReport.table(s)).isEqualTo(TerminalReport.table(inMemory));
        assertThat(JsonReport.render(s)).isEqualTo(JsonReport.render(inMemory));
        assertThat(HtmlReport.render("r", List.of(s))).isEqualTo(HtmlReport.render("r", List.of(inMemory)));
    }

    @Test
    void recheckOfTheFileTakesTheGivenOptionsOverTheHeaders() throws IOException {
        Path file = write("h.jsonl", 200, 3);
        HistoryCheck.Recheck r = HistoryCheck.recheck(file, new CheckerOptions(100_000));
        assertThat(r.options().minConfirmed()).isEqualTo(100_000);
        assertThat(JsonReport.render(r.summary())).isEqualTo(JsonReport.render(
                HistoryCheck.recheck(HistoryReader.readAll(file), new CheckerOptions(100_000))));
    }

    @Test
    void runHealthOfTheFileFindsTheSameProducerStops() throws IOException {
        Path file = write("h.jsonl", 500, 7);
        RunHealth streamed = RunHealth.of(file, 3, 1, 2);
        assertThat(streamed.stoppedProducers()).containsExactly("p2");
        assertThat(streamed).isEqualTo(RunHealth.of(HistoryReader.readAll(file), 3, 1, 2));
    }

    @Test
    void runHealthTalliedDuringTheCheckersPassEqualsItsOwnPassAndTheCheckIsUnchanged() throws IOException {
        Path file = write("h.jsonl", 500, 7);
        RunHealth.Stops stops = RunHealth.tally();
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
        io.semel.verify.checker.Checker checker = new io.semel.verify.checker.Checker();
        io.semel.verify.checker.CheckResult tapped = checker.check(file, e -> {
            seen.incrementAndGet();
            stops.accept(e);
        });
        assertThat(seen.get()).isEqualTo(HistoryReader.readAll(file).events().size());
        assertThat(stops.health(3, 1, 2)).isEqualTo(RunHealth.of(file, 3, 1, 2));
        assertThat(tapped.toJson()).isEqualTo(checker.check(file).toJson());
    }

    @Test
    void latencyPanelOfTheFileRendersAsFromTheEventsInMemory() throws IOException {
        Path file = write("h.jsonl", 2_000, 11);
        LatencyPanel streamed = LatencyPanel.from(file);
        LatencyPanel inMemory = LatencyPanel.from(HistoryReader.readAll(file).events());
        assertThat(streamed.confirmed()).isGreaterThan(1_500).isEqualTo(inMemory.confirmed());
        assertThat(streamed.applied()).isEqualTo(inMemory.applied());
        assertThat(streamed.render("exactly-once")).isEqualTo(inMemory.render("exactly-once"));
    }

    @Test
    void aTornLastLineIsAFormatErrorNamingItsLine() throws IOException {
        Path file = write("torn.jsonl", 50, 5);
        long tornLine = Files.readAllLines(file).size() + 1;
        Files.writeString(file, Files.readString(file) + "{\"i\":99999,\"tNs\":", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> HistoryCheck.recheck(file)).isInstanceOf(HistoryFormatException.class)
                .hasMessageContaining("line " + tornLine);
        assertThatThrownBy(() -> RunHealth.of(file, 0, 0, 0)).isInstanceOf(HistoryFormatException.class);
        assertThatThrownBy(() -> LatencyPanel.from(file)).isInstanceOf(HistoryFormatException.class);
    }
}
