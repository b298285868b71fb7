package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.OpType;
import io.semel.verify.proxy.FaultPolicy;
import io.semel.verify.proxy.FaultProxy;
import io.semel.verify.proxy.ProxyEvent;
import io.semel.verify.proxy.ProxyOptions;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.TimedFault;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target whose earlier steps ran past a fault's whole window (a broker restart taking tens of seconds on a loaded
 * machine) gets that fault moved, not dropped: the 46-minute soak of seed 329307957 skipped 12 faults that way and
 * was trivial. The move is recorded (a failed start saying "moved", then the start that took effect) and the fault
 * holds its planned length; one that could not heal before the run heals is still skipped, and says so. (Injecting
 * every late fault at once was never the answer: a 50-minute soak piled kills onto a broker that had just come back
 * until it was never up; a moved fault rests its target first, {@link Nemesis#MOVED_REST_MS}.)
 */
class NemesisLateStepTest {
    @Test
    void aFaultWhoseWindowPassedWhileItsTargetWasBusyIsMovedAndHeldForItsLength(@TempDir Path dir) throws Exception {
        TimedFault late = new TimedFault(FaultKind.STALL, "px-test", 1_000, 2_000, 0);
        TimedFault onTime = new TimedFault(FaultKind.DELAY, "px-test", 9_000, 60_000, 0);
        Run run = runAt10s(dir, new FaultSchedule(1, 60_000, List.of(), List.of(late, onTime)), 2_500);
        // Injected late, held for its 1 s (time stands still for the nemesis: it sleeps the rest in real time),
        // healed, then the fault after it on the same target.
        assertThat(run.proxyEvents()).containsSubsequence("ACTIVATED STALL", "HEALED NONE", "ACTIVATED DELAY");
        assertThat(run.finalPolicy()).isEqualTo(FaultPolicy.DELAY);
        List<HistoryEvent> stall = run.events("stall");
        assertThat(stall).extracting(HistoryEvent::type)
                .containsExactly(OpType.INVOKE, OpType.FAIL, OpType.INVOKE, OpType.OK, OpType.INVOKE, OpType.OK);
        assertThat(stall.get(1).error()).startsWith("moved").contains("injected at 10000 ms for 1000 ms");
    }

    @Test
    void aSecondLateFaultWaitsUntilItsTargetHasRestedSinceTheFirstHealed(@TempDir Path dir) throws Exception {
        TimedFault first = new TimedFault(FaultKind.STALL, "px-test", 1_000, 2_000, 0);
        TimedFault second = new TimedFault(FaultKind.DELAY, "px-test", 3_000, 4_000, 0);
        // Time stands still at 10 s: the first is healed at 10 s, so the second may start at 10 s + the rest.
        Run run = runAt10s(dir, new FaultSchedule(1, 60_000, List.of(), List.of(first, second)),
                1_000 + Nemesis.MOVED_REST_MS + 1_500);
        assertThat(run.proxyEvents()).containsSubsequence("ACTIVATED STALL", "HEALED NONE", "ACTIVATED DELAY");
        List<HistoryEvent> delay = run.events("delay");
        assertThat(delay.get(1).error()).startsWith("moved")
                .contains("injected at " + (10_000 + Nemesis.MOVED_REST_MS) + " ms for 1000 ms");
    }

    @Test
    void aLateFaultThatCouldNotHealBeforeTheRunHealsIsSkipped(@TempDir Path dir) throws Exception {
        TimedFault late = new TimedFault(FaultKind.STALL, "px-test", 1_000, 2_000, 0);
        Run run = runAt10s(dir, new FaultSchedule(1, 10_500, List.of(), List.of(late)), 1_000);
        assertThat(run.proxyEvents()).noneMatch(e -> e.contains("STALL"));
        List<HistoryEvent> stall = run.events("stall");
        assertThat(stall).extracting(HistoryEvent::type).containsExactly(OpType.INVOKE, OpType.FAIL);
        assertThat(stall.get(1).error()).startsWith("skipped").contains("too late to move before the heal at 10500 ms");
    }

    private record Run(List<String> proxyEvents, FaultPolicy finalPolicy, History history) {
        List<HistoryEvent> events(String fault) {
            return history.events().stream()
                    .filter(e -> e.value() instanceof EventValue.Nemesis n && n.fault().equals(fault)).toList();
        }
    }

    /** Starts a nemesis 10 s into a run whose clock then stands still, lets it work for {@code realMs}, stops it. */
    private static Run runAt10s(Path dir, FaultSchedule schedule, long realMs) throws Exception {
        AtomicLong nowNs = new AtomicLong(1_000_000_000L);
        Path file = dir.resolve("history.jsonl");
        List<ProxyEvent> events = new CopyOnWriteArrayList<>();
        FaultPolicy finalPolicy;
        try (ServerSocket target = new ServerSocket(0);
                FaultProxy proxy = FaultProxy.start("px-test", new InetSocketAddress("127.0.0.1", target.getLocalPort()),
                        ProxyOptions.semelFrames(), 1, events::add)) {
            RunHistory history = new RunHistory(file, nowNs::get,
                    new EventValue.Header(Guarantee.EXACTLY_ONCE, List.of()), 60);
            history.markStart();
            nowNs.addAndGet(10_000_000_000L);
            Nemesis nemesis = new Nemesis(schedule, Map.of("px-test", ProxyGroup.of(proxy)), null, Map.of(), Map.of(),
                    history, 1, dir, line -> { });
            nemesis.start();
            Thread.sleep(realMs);
            finalPolicy = proxy.policy();
            nemesis.interrupt();
            history.close();
        }
        return new Run(events.stream().map(e -> e.kind() + " " + e.policy()).toList(), finalPolicy, HistoryReader.readAll(file));
    }
}
