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
 * machine) must not get that fault late: a 50-minute soak piled kills onto a broker that had just come back until
 * it was never up, and the run ended without a verdict. The late fault is skipped and recorded as a failed start.
 */
class NemesisLateStepTest {
    @Test
    void aFaultWhoseWindowPassedWhileItsTargetWasBusyIsSkippedNotInjected(@TempDir Path dir) throws Exception {
        AtomicLong nowNs = new AtomicLong(1_000_000_000L);
        Path file = dir.resolve("history.jsonl");
        TimedFault onTime = new TimedFault(FaultKind.DELAY, "px-test", 9_000, 60_000, 0);
        TimedFault late = new TimedFault(FaultKind.STALL, "px-test", 1_000, 2_000, 0);
        FaultSchedule schedule = new FaultSchedule(1, 60_000, List.of(), List.of(late, onTime));
        List<ProxyEvent> events = new CopyOnWriteArrayList<>();
        try (ServerSocket target = new ServerSocket(0);
                FaultProxy proxy = FaultProxy.start("px-test", new InetSocketAddress("127.0.0.1", target.getLocalPort()),
                        ProxyOptions.semelFrames(), 1, events::add)) {
            RunHistory history = new RunHistory(file, nowNs::get,
                    new EventValue.Header(Guarantee.EXACTLY_ONCE, List.of()), 60);
            history.markStart();
            // The run is 10 s in: the stall's window (1–2 s) has passed, the delay's (9–60 s) is open.
            nowNs.addAndGet(10_000_000_000L);
            Nemesis nemesis = new Nemesis(schedule, Map.of("px-test", ProxyGroup.of(proxy)), null, Map.of(), Map.of(), history, 1,
                    dir, line -> { });
            nemesis.start();
            // Time stands still for the dispatcher: it hands over every step due by now and sleeps towards 60 s.
            Thread.sleep(1_000);
            assertThat(proxy.policy()).isEqualTo(FaultPolicy.DELAY);
            nemesis.interrupt();
            history.close();
        }
        assertThat(events).noneMatch(e -> e.policy() == FaultPolicy.STALL);
        History h = HistoryReader.readAll(file);
        List<HistoryEvent> stall = h.events().stream()
                .filter(e -> e.value() instanceof EventValue.Nemesis n && n.fault().equals("stall")).toList();
        assertThat(stall).extracting(HistoryEvent::type).containsExactly(OpType.INVOKE, OpType.FAIL);
        assertThat(stall.get(1).error()).startsWith("skipped");
    }
}
