package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.Admin;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import io.semel.client.Producer;
import io.semel.verify.proxy.FaultParams;
import io.semel.verify.proxy.FaultPolicy;
import io.semel.verify.proxy.FaultProxy;
import io.semel.verify.proxy.ProxyEvent;
import io.semel.verify.proxy.ProxyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-way partitions against a real broker child, with a one-attempt producer so each send is exactly one
 * request: with requests lost, the send's outcome is unknown to the client and nothing reaches the log; with
 * replies lost, the outcome is just as unknown, but the message is in the log. After the heal the same producer's
 * sends are confirmed again.
 */
class OneWayPartitionTest {
    private static final String TOPIC = "oneway";
    @TempDir
    static Path dir;
    private static BrokerNode broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerNode.start(dir, VerifyConfig.Failover.FAST, e -> { });
        try (Admin admin = Admin.builder(broker.bootstrap()).build()) {
            admin.createTopic(TOPIC, 1);
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void lostRequestsNeverReachTheLogWhileTheClientCannotTell() throws Exception {
        List<String> log = oneWay(FaultPolicy.DROP_REQUESTS, "req");
        assertThat(log).contains("req-before", "req-after").doesNotContain("req-during");
    }

    @Test
    void lostRepliesReachTheLogWhileTheClientCannotTell() throws Exception {
        List<String> log = oneWay(FaultPolicy.DROP_REPLIES, "rep");
        assertThat(log).contains("rep-before", "rep-during", "rep-after");
    }

    /** Sends before, during and after the policy; returns the log's values. */
    private static List<String> oneWay(FaultPolicy policy, String prefix) throws Exception {
        List<ProxyEvent> events = new CopyOnWriteArrayList<>();
        try (FaultProxy proxy = FaultProxy.start("px-" + prefix, broker.address(), ProxyOptions.semelFrames(), 1,
                events::add);
                Producer producer = Producer.builder("127.0.0.1:" + proxy.port()).clientId(prefix)
                        .guarantee(DeliveryGuarantee.AT_MOST_ONCE).requestTimeoutMs(1_000).deliveryTimeoutMs(1_500)
                        .lingerMs(0).build()) {
            send(producer, prefix + "-before");
            proxy.setPolicy(policy, FaultParams.DEFAULTS);
            assertThatThrownBy(() -> send(producer, prefix + "-during"))
                    .hasCauseInstanceOf(OutcomeUnknownException.class);
            assertThat(events).anyMatch(e -> e.kind() == ProxyEvent.Kind.APPLIED && e.policy() == policy);
            proxy.heal();
            awaitConfirmed(producer, prefix + "-after");
        }
        try (PartitionReader reader = PartitionReader.builder(broker.bootstrap()).build()) {
            return reader.readToEnd(TOPIC, 0, 0, 1_000).stream().map(OneWayPartitionTest::text).toList();
        }
    }

    private static void send(Producer p, String value) throws Exception {
        p.send(TOPIC, value.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    }

    /** After the heal the client may still be reconnecting: one-attempt sends are retried here, a bounded number of times. */
    private static void awaitConfirmed(Producer p, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                send(p, value);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static String text(PartitionRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }
}
