package io.semel.verify.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.DeliveryGuarantee;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.protocol.Header;
import io.semel.verify.run.AddMessage;
import io.semel.verify.run.child.Deliveries;
import io.semel.verify.testing.LiveBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FaultPolicy#REPLAY_STALE} against the real broker (in-process, real TCP through the real proxy): the
 * stale copy of a produce reaches the broker on a new connection that said HELLO first. A producer without
 * a producer id (at-least-once) gets the copy appended — the control that shows the replay took effect — and
 * an idempotent producer (exactly-once) gets it deduplicated by its sequence number.
 */
class ReplayStaleBrokerTest {
    private static final String TOPIC = "replayed";
    private static final Duration REPLAY_DELAY = Duration.ofMillis(300);

    @TempDir
    Path dir;
    private List<String> replays = List.of();

    @Test
    void aReplayedProduceOfANonIdempotentProducerIsAppendedASecondTime() throws Exception {
        assertThat(copiesAfterReplay(DeliveryGuarantee.AT_LEAST_ONCE)).isEqualTo(2);
        assertReplayedAfterHandshake();
    }

    @Test
    void aReplayedProduceOfAnIdempotentProducerIsDeduplicated() throws Exception {
        assertThat(copiesAfterReplay(DeliveryGuarantee.EXACTLY_ONCE)).isEqualTo(1);
        assertReplayedAfterHandshake();
    }

    private void assertReplayedAfterHandshake() {
        assertThat(replays).singleElement().asString()
                .contains("handshake (answered)").contains("the target answered");
    }

    /** Sends one message while REPLAY_STALE is active; returns how many times its id is in the log. */
    private long copiesAfterReplay(DeliveryGuarantee guarantee) throws Exception {
        List<ProxyEvent> events = new CopyOnWriteArrayList<>();
        try (LiveBroker broker = LiveBroker.start(dir.resolve("broker"));
                FaultProxy proxy = FaultProxy.start("px", broker.address(), ProxyOptions.semelFrames(), 1, events::add)) {
            broker.createTopic(TOPIC, 1);
            try (Producer p = Producer.builder("127.0.0.1:" + proxy.port()).clientId("p1").name("replay-p1")
                    .guarantee(guarantee).lingerMs(0).build()) {
                // Connected, described and (idempotent) initialised before the fault, so the next frame is the produce.
                send(p, new AddMessage("warm-up", "a00", 1));
                proxy.setPolicy(FaultPolicy.REPLAY_STALE, FaultParams.DEFAULTS.withReplayDelay(REPLAY_DELAY));
                send(p, new AddMessage("x", "a00", 5));
                awaitReplay(events);
                proxy.heal();
            }
            List<PartitionRecord> log = broker.drain(TOPIC, 0);
            replays = events.stream().filter(e -> e.kind() == ProxyEvent.Kind.APPLIED).map(ProxyEvent::detail).toList();
            return log.stream().filter(r -> Deliveries.idOf(r.headers(), r.value()).equals("x")).count();
        }
    }

    private static void send(Producer p, AddMessage m) throws Exception {
        p.send(TOPIC, m.encodeKey(), m.encodeValue(), List.of(Header.of(AddMessage.ID_HEADER, m.id())))
                .get(30, TimeUnit.SECONDS);
    }

    private static void awaitReplay(List<ProxyEvent> events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (events.stream().noneMatch(e -> e.kind() == ProxyEvent.Kind.APPLIED) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
