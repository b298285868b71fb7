package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Admin;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.History;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.HistoryReader;
import io.semel.verify.history.OpType;
import io.semel.verify.run.child.Deliveries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer child JVM SIGKILLed mid-workload, then paused, then stopped: its history comes through the event
 * channel like the processor child's, every send it invoked is completed, a send in flight at the kill is
 * {@code info} (unknown) and never {@code fail}, confirmed sends are in the log, and the restarted child sends
 * again under a new generation.
 */
class ProducerChildKillTest {
    private static final String TOPIC = "kill-producer";
    private static final String KILLED = "killed by the nemesis";

    @Test
    void aKilledProducersInFlightSendsAreUnknownNeverFailed(@TempDir Path dir) throws Exception {
        Path historyFile = dir.resolve("history.jsonl");
                RunHistory history = new RunHistory(historyFile, System::nanoTime,
                new EventValue.Header(Guarantee.EXACTLY_ONCE, List.of()), 60);
        try (EventSink sink = EventSink.start(history);
                BrokerNode broker = BrokerNode.start(dir, VerifyConfig.Failover.FAST, e -> { })) {
            try (Admin admin = Admin.builder(broker.bootstrap()).build()) {
                admin.createTopic(TOPIC, 2);
            }
            ProducerNode p1 = new ProducerNode("p1", List.of("--bootstrap", broker.bootstrap(), "--topic", TOPIC,
                    "--guarantee", "exactly-once", "--events", "127.0.0.1:" + sink.address().getPort(),
                    "--lanes", "64", "--rate", "1500", "--accounts", "10", "--seed", "5"), dir, sink, history, e -> { });
            try (p1) {
                p1.start();
                Thread.sleep(2_500);
                p1.killAndHold();
                Thread.sleep(300);
                p1.release();
                Thread.sleep(1_500);
                p1.pause();
                Thread.sleep(500);
                p1.resume();
                Thread.sleep(1_000);
                p1.requestStop();
                p1.finishStop(System.nanoTime() + Duration.ofSeconds(15).toNanos());
                assertThat(p1.unplannedDeaths()).isZero();
            }
            history.close();
            History h = HistoryReader.readAll(historyFile);
            Map<String, HistoryEvent> open = new HashMap<>();
            Set<String> confirmed = new HashSet<>();
            Set<String> generations = new HashSet<>();
            int unknownAtKill = 0;
            for (HistoryEvent e : h.events()) {
                if (!(e.value() instanceof EventValue.Send s)) {
                    continue;
                }
                generations.add(s.id().split("-")[1]);
                if (e.type() == OpType.INVOKE) {
                    open.put(s.id(), e);
                    continue;
                }
                open.remove(s.id());
                if (e.type() == OpType.OK) {
                    confirmed.add(s.id());
                }
                if (e.error() != null && e.error().startsWith(KILLED)) {
                    assertThat(e.type()).as("a send in flight at the kill: %s", e).isEqualTo(OpType.INFO);
                    unknownAtKill++;
                }
            }
            assertThat(open).as("every invoked send is completed").isEmpty();
            assertThat(unknownAtKill).as("64 lanes at 1,500 sends/s have sends in flight at the kill").isPositive();
            assertThat(generations).as("the restarted child sends as a new generation").contains("g1", "g2");
            Set<String> logged = new HashSet<>();
            try (PartitionReader reader = PartitionReader.builder(broker.bootstrap()).build()) {
                for (int p = 0; p < 2; p++) {
                    for (PartitionRecord r : reader.readToEnd(TOPIC, p, 0, 1_000_000)) {
                        logged.add(Deliveries.idOf(r.headers(), r.value()));
                    }
                }
            }
            assertThat(confirmed).hasSizeGreaterThan(1_000);
            assertThat(logged).containsAll(confirmed);
        } finally {
            history.close();
        }
    }
}
