package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.client.Admin;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.protocol.Header;
import io.semel.verify.process.PowerCut;
import io.semel.verify.run.child.Deliveries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss on a real broker child: while an idempotent producer pipelines sends, the broker is SIGKILLed and
 * every file of its data directory is cut back between its forced length (recorded by {@code FileStorage} in
 * verify mode) and what was written, then it restarts. Every send confirmed before the cut must be in the log
 * exactly once, at the offset it was confirmed at. Without the forced-length records the cut may remove
 * confirmed, fsync'd batches, and this test fails.
 */
class PowerLossTest {
    private static final String TOPIC = "power";
    private static final int PARTITIONS = 2;
    private static final int CYCLES = 3;

    @Test
    void everyConfirmedSendSurvivesPowerCutsOnceAtItsConfirmedOffset(@TempDir Path dir) throws Exception {
        Map<String, SendResult> confirmed = new ConcurrentHashMap<>();
        long bytesLost = 0;
        int filesCut = 0;
        try (BrokerNode broker = BrokerNode.start(dir, VerifyConfig.Failover.FAST, e -> { })) {
            try (Admin admin = Admin.builder(broker.bootstrap()).build()) {
                admin.createTopic(TOPIC, PARTITIONS);
            }
            Random cutRandom = new Random(42);
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                Producer producer = Producer.builder(broker.bootstrap()).name("power-p").clientId("power-p")
                        .guarantee(DeliveryGuarantee.EXACTLY_ONCE).lingerMs(1).requestTimeoutMs(1_000)
                        .deliveryTimeoutMs(3_000).maxBlockMs(3_000).build();
                List<CompletableFuture<SendResult>> inFlight = new ArrayList<>();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
                int n = 0;
                while (System.nanoTime() < until) {
                    String id = "c" + cycle + "-" + n++;
                    CompletableFuture<SendResult> f = producer.send(TOPIC, id.getBytes(), id.getBytes(),
                            List.of(Header.of(AddMessage.ID_HEADER, id)));
                    f.thenAccept(r -> confirmed.put(id, r));
                    inFlight.add(f);
                    if (inFlight.size() % 200 == 0) {
                        Thread.sleep(1);
                    }
                }
                // The cut while sends are in flight: some written bytes are not yet forced.
                List<PowerCut.Cut> cuts = broker.powerLoss(cutRandom);
                producer.close(Duration.ofSeconds(1));
                // Taken after the close ran every callback; the broker was dead, so nothing later was confirmed.
                Map<String, SendResult> before = new HashMap<>(confirmed);
                for (PowerCut.Cut c : cuts) {
                    bytesLost += c.bytesLost();
                    filesCut += c.bytesLost() > 0 ? 1 : 0;
                }
                broker.ensureRunning();
                assertPresentOnceAtConfirmedOffset(broker, before);
            }
        }
        System.out.println("power cuts: " + filesCut + " files cut, " + bytesLost + " bytes lost, "
                + confirmed.size() + " confirmed sends checked");
        assertThat(confirmed).hasSizeGreaterThan(CYCLES * 100);
    }

    private static void assertPresentOnceAtConfirmedOffset(BrokerNode broker, Map<String, SendResult> owed) {
        Map<String, List<String>> seen = new HashMap<>();
        try (PartitionReader reader = PartitionReader.builder(broker.bootstrap()).build()) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (PartitionRecord r : reader.readToEnd(TOPIC, p, 0, 10_000_000)) {
                    seen.computeIfAbsent(Deliveries.idOf(r.headers(), r.value()), k -> new ArrayList<>())
                            .add(r.partition() + "/" + r.offset());
                }
            }
        }
        for (Map.Entry<String, SendResult> e : owed.entrySet()) {
            String at = e.getValue().partition() + "/" + e.getValue().offset();
            assertThat(seen.get(e.getKey())).as("confirmed send %s at %s after a power cut", e.getKey(), at)
                    .containsExactly(at);
        }
        seen.forEach((id, where) -> assertThat(where).as("%s in the log", id).hasSize(1));
    }
}
