package io.semel.verify.report;

import io.semel.verify.checker.CheckResult;
import io.semel.verify.checker.Checker;
import io.semel.verify.checker.CheckerOptions;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpFunction;
import io.semel.verify.history.OpType;
import io.semel.verify.schedule.FaultSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Re-checks a recorded history offline ({@code semel check}): the checker with the threshold the run recorded
 * in its header, and a {@link RunSummary} rebuilt from the history, so the verdict, the reasons, the counts and
 * the anomalies are the run's own. What only the harness knew is approximated from event times: time zero is
 * the first send invoke (the workload's start), faults are the nemesis start/stop {@code ok} events, and the
 * planned schedule's timed faults are not in the history (an empty schedule stands for it). Stateless.
 *
 * <p>Memory: {@link #recheck(Path)} never holds the history. It makes one streaming pass for the run-level
 * figures, which keep one counter per second of the run and one entry per nemesis {@code ok}, nothing per
 * event (the reader's own rule state aside, see {@link HistoryPass}), then runs {@link Checker#check(Path)}
 * (about 110 bytes per event, docs/verify.md). {@link #recheck(History)} is the same from memory, for small
 * histories and tests.
 */
public final class HistoryCheck {
    private static final long NANOS_PER_MS = 1_000_000;

    private HistoryCheck() {
    }

    /**
     * A re-checked history file.
     *
     * @param header its header
     * @param events events after the header
     * @param options the options it was judged with
     * @param summary what the reports show
     */
    public record Recheck(EventValue.Header header, long events, CheckerOptions options, RunSummary summary) {
        public Recheck {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(summary, "summary");
        }
    }

    /** The options the run was judged with: the header's {@code minConfirmed}, else the checker's default. */
    public static CheckerOptions optionsFor(EventValue.Header header) {
        return header.minConfirmed() == null ? CheckerOptions.defaults() : new CheckerOptions(header.minConfirmed());
    }

    /** Checks with the header's options and summarizes. */
    public static RunSummary recheck(History history) {
        return recheck(history, optionsFor(history.header()));
    }

    public static RunSummary recheck(History history, CheckerOptions options) {
        CheckResult result = new Checker(options).check(history);
        Figures f = new Figures();
        history.events().forEach(f);
        return f.summary(history.header(), result);
    }

    /**
     * {@link #recheck(History)} of a file, streamed (see the class comment for the memory).
     *
     * @throws io.semel.verify.history.HistoryFormatException if a line breaks the format (with its line number)
     */
    public static Recheck recheck(Path historyFile) throws IOException {
        return recheckFile(historyFile, null);
    }

    /** As {@link #recheck(Path)} with these options instead of the header's. */
    public static Recheck recheck(Path historyFile, CheckerOptions options) throws IOException {
        return recheckFile(historyFile, Objects.requireNonNull(options, "options"));
    }

    /** {@code options} null: the header's. */
    private static Recheck recheckFile(Path historyFile, CheckerOptions options) throws IOException {
        Figures f = new Figures();
        // The figures first: this pass also reads the header the options may come from.
        EventValue.Header header = HistoryPass.forEach(historyFile, f);
        CheckerOptions used = options != null ? options : optionsFor(header);
        CheckResult result = new Checker(used).check(historyFile);
        return new Recheck(header, f.events, used, f.summary(header, result));
    }

    /**
     * The run-level figures, one event at a time in file order. Keeps one counter per second and the nemesis
     * {@code ok}s (paired at the end, since time zero is only known at the first send). Not thread-safe.
     */
    private static final class Figures implements Consumer<HistoryEvent> {
        private long events;
        private long firstNs;
        private long lastNs;
        private boolean sawSend;
        private long zeroNs;
        private final List<Long> confirmedPerSecond = new ArrayList<>();
        private final List<EventValue.Nemesis> nemesisOks = new ArrayList<>();
        private final List<Long> nemesisOkNs = new ArrayList<>();

        @Override
        public void accept(HistoryEvent e) {
            if (events++ == 0) {
                firstNs = e.tNs();
            }
            lastNs = e.tNs();
            if (e.f() == OpFunction.SEND && !sawSend) {
                sawSend = true;
                zeroNs = e.tNs();
            }
            // A send ok comes after the first send event, so time zero is known here.
            if (e.f() == OpFunction.SEND && e.type() == OpType.OK) {
                int second = (int) Math.max(0, (e.tNs() - zeroNs) / 1_000_000_000L);
                while (confirmedPerSecond.size() <= second) {
                    confirmedPerSecond.add(0L);
                }
                confirmedPerSecond.set(second, confirmedPerSecond.get(second) + 1);
            }
            if (e.value() instanceof EventValue.Nemesis n && e.type() == OpType.OK) {
                nemesisOks.add(n);
                nemesisOkNs.add(e.tNs());
            }
        }

        RunSummary summary(EventValue.Header header, CheckResult result) {
            long zero = sawSend ? zeroNs : firstNs;
            Duration duration = Duration.ofNanos(lastNs - firstNs);
            long seed = header.seed() == null ? 0 : header.seed();
            FaultSchedule schedule = new FaultSchedule(seed, Math.max(0, (lastNs - zero) / NANOS_PER_MS), List.of(),
                    List.of());
            return new RunSummary(header.guarantee(), seed, duration, schedule, result, List.copyOf(confirmedPerSecond),
                    faults(zero));
        }

        /** Nemesis start/stop oks paired as the harness pairs them while running ({@link FaultPairing}). */
        private List<InjectedFault> faults(long zero) {
            FaultPairing pairing = new FaultPairing();
            for (int k = 0; k < nemesisOks.size(); k++) {
                pairing.ok(nemesisOks.get(k), Math.max(0, (nemesisOkNs.get(k) - zero) / NANOS_PER_MS));
            }
            return pairing.faults();
        }
    }
}
