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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-checks a recorded history offline ({@code semel check}): the checker with the threshold the run recorded
 * in its header, and a {@link RunSummary} rebuilt from the history, so the verdict, the reasons, the counts and
 * the anomalies are the run's own. What only the harness knew is approximated from event times: time zero is
 * the first send invoke (the workload's start), faults are the nemesis start/stop {@code ok} events, and the
 * planned schedule's timed faults are not in the history (an empty schedule stands for it). Stateless.
 */
public final class HistoryCheck {
    private static final long NANOS_PER_MS = 1_000_000;

    private HistoryCheck() {
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
        List<HistoryEvent> events = history.events();
        long first = events.isEmpty() ? 0 : events.get(0).tNs();
        long last = events.isEmpty() ? 0 : events.get(events.size() - 1).tNs();
        long zero = events.stream().filter(e -> e.f() == OpFunction.SEND)
                .mapToLong(HistoryEvent::tNs).findFirst().orElse(first);
        Duration duration = Duration.ofNanos(last - first);
        long seed = history.header().seed() == null ? 0 : history.header().seed();
        FaultSchedule schedule = new FaultSchedule(seed, Math.max(0, (last - zero) / NANOS_PER_MS), List.of(), List.of());
        return new RunSummary(history.header().guarantee(), seed, duration, schedule, result,
                confirmedPerSecond(events, zero), faults(events, zero));
    }

    private static List<Long> confirmedPerSecond(List<HistoryEvent> events, long zero) {
        List<Long> out = new ArrayList<>();
        for (HistoryEvent e : events) {
            if (e.f() == OpFunction.SEND && e.type() == OpType.OK) {
                int second = (int) Math.max(0, (e.tNs() - zero) / 1_000_000_000L);
                while (out.size() <= second) {
                    out.add(0L);
                }
                out.set(second, out.get(second) + 1);
            }
        }
        return out;
    }

    /** Nemesis start/stop oks paired as the harness pairs them while running ({@link FaultPairing}). */
    private static List<InjectedFault> faults(List<HistoryEvent> events, long zero) {
        FaultPairing pairing = new FaultPairing();
        for (HistoryEvent e : events) {
            if (e.value() instanceof EventValue.Nemesis n && e.type() == OpType.OK) {
                pairing.ok(n, Math.max(0, (e.tNs() - zero) / NANOS_PER_MS));
            }
        }
        return pairing.faults();
    }
}
