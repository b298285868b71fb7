package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.internal.ControlledClock;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.ListProducers;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import io.semel.protocol.ReleaseProducer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The producer identity's life cycle against a real broker over TCP: INIT_PRODUCER retried or
 * replayed, idle expiry through the broker's clock, release, listing, and the operator's view of a
 * refused INIT.
 */
class ProducerLifecycleTest extends BrokerTestSupport {
    private static final long DAY_MS = 24L * 60 * 60 * 1000;

    private static InitProducer.Response init(TestClient c, String name, long token) throws IOException {
        InitProducer.Response r = c.call(new InitProducer.Request(name, "t", (short) -1, token),
                InitProducer.Response.class);
        assertThat(r.error()).as("init: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
        return r;
    }

    private static Produce.Response produce(TestClient c, InitProducer.Response p, long seq, String value)
            throws IOException {
        RecordBatch b = TestClient.batch(p.producerId(), p.producerEpoch(), seq, value);
        return c.call(new Produce.Request("t", 0, 0, b), Produce.Response.class);
    }

    @Test
    void aReplayedInitOfTheLiveInstanceAnswersTheSameEpochAndFencesNothing() throws Exception {
        startBroker();
        try (TestClient live = TestClient.hello(broker.port()); TestClient late = TestClient.hello(broker.port())) {
            createTopic(live, "t", 1);
            InitProducer.Response first = init(live, "relay", 0xA1);
            assertThat(produce(live, first, 0, "a").error()).isEqualTo(ErrorCode.NONE);
            // The instance's INIT answer was lost, or an older copy of it sat in a socket: it arrives again.
            InitProducer.Response again = init(late, "relay", 0xA1);
            assertThat(again.producerId()).isEqualTo(first.producerId());
            assertThat(again.producerEpoch()).isEqualTo(first.producerEpoch());
            assertThat(again.sequences()).containsExactly(new InitProducer.PartitionSequence(0, 0));
            assertThat(produce(live, first, 1, "b").error()).as("the live instance is not fenced")
                    .isEqualTo(ErrorCode.NONE);
        }
        restartBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            InitProducer.Response afterRestart = init(c, "relay", 0xA1);
            assertThat(afterRestart.producerEpoch()).as("the token is durable").isZero();
            assertThat(TestClient.values(fetchAll(c, "t", 0))).containsExactly("a", "b");
        }
    }

    @Test
    void aLateInitOfAReplacedInstanceIsFencedAndANewInstanceStillFencesTheOld() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 1);
            InitProducer.Response old = init(c, "relay", 0xA1);
            InitProducer.Response current = init(c, "relay", 0xB2);
            assertThat(current.producerEpoch()).isEqualTo((short) (old.producerEpoch() + 1));
            InitProducer.Response late = c.call(new InitProducer.Request("relay", "t", (short) -1, 0xA1),
                    InitProducer.Response.class);
            assertThat(late.error()).isEqualTo(ErrorCode.PRODUCER_FENCED);
            assertThat(late.errorMessage()).contains("arrived late");
            assertThat(produce(c, current, 0, "a").error()).isEqualTo(ErrorCode.NONE);
            assertThat(produce(c, old, 1, "zombie").error()).isEqualTo(ErrorCode.PRODUCER_FENCED);
        }
    }

    @Test
    void anIdleProducerExpiresThroughTheBrokerClockAndComesBackToDedupStateUnknownEvenAfterARestart()
            throws Exception {
        Path offsetFile = dataDir.resolveSibling(dataDir.getFileName() + "-clock-offset.ms");
        Files.writeString(offsetFile, "0");
        BrokerConfig config = configBuilder().producerIdleExpiryMs(DAY_MS).producerExpiryCheckIntervalMs(20).build();
        startWithControlledClock(config, offsetFile);
        InitProducer.Response p;
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 1);
            p = init(c, "nightly-job", 0xA1);
            assertThat(produce(c, p, 0, "a").error()).isEqualTo(ErrorCode.NONE);
            // The wall clock moves 1.5 days on: past the expiry, short of the removal (twice the expiry).
            Files.writeString(offsetFile, Long.toString(DAY_MS + DAY_MS / 2));
            awaitExpired(c, "nightly-job");
            Produce.Response next = produce(c, p, 1, "b");
            assertThat(next.error()).isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN);
            assertThat(next.errorMessage()).contains("producerIdleExpiryMs");
            // A resend of its first batch is refused too: never a silent second append.
            assertThat(produce(c, p, 0, "a").error()).isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN);
        }
        broker.close();
        startWithControlledClock(config, offsetFile);
        Files.writeString(offsetFile, Long.toString(DAY_MS + DAY_MS / 2)); // the same wall clock after the restart
        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(produce(c, p, 1, "b").error()).as("expiry is durable").isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN);
            assertThat(produce(c, p, 0, "a").error()).isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN);
            InitProducer.Response fresh = init(c, "nightly-job", 0xB2);
            assertThat(fresh.producerId()).isEqualTo(p.producerId());
            assertThat(fresh.producerEpoch()).isEqualTo((short) (p.producerEpoch() + 1));
            long next = fresh.sequences().get(0).highestSequence() + 1;
            assertThat(produce(c, fresh, next, "c").error()).isEqualTo(ErrorCode.NONE);
            assertThat(TestClient.values(fetchAll(c, "t", 0))).containsExactly("a", "c");
        }
    }

    private void startWithControlledClock(BrokerConfig config, Path offsetFile) throws IOException {
        System.setProperty(ControlledClock.OFFSET_FILE_PROPERTY, offsetFile.toString());
        try {
            startBroker(config);
        } finally {
            System.clearProperty(ControlledClock.OFFSET_FILE_PROPERTY);
        }
    }

    private static void awaitExpired(TestClient c, String name) throws Exception {
        for (int i = 0; i < 300; i++) {
            ListProducers.Response r = c.call(new ListProducers.Request(name, 10), ListProducers.Response.class);
            if (r.producers().size() == 1 && r.producers().get(0).expired()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("producer " + name + " did not expire within 15 s");
    }

    @Test
    void aReleasedProducerIsGoneItsLateBatchIsRefusedAndReleaseIsIdempotent() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 1);
            InitProducer.Response p = init(c, "semel-cli-1", 0xA1);
            assertThat(produce(c, p, 0, "a").error()).isEqualTo(ErrorCode.NONE);
            ReleaseProducer.Response released = c.call(new ReleaseProducer.Request("semel-cli-1", p.producerEpoch()),
                    ReleaseProducer.Response.class);
            assertThat(released.outcome()).isEqualTo(ReleaseProducer.Outcome.RELEASED);
            assertThat(released.producerId()).isEqualTo(p.producerId());
            assertThat(c.call(new ReleaseProducer.Request("semel-cli-1", p.producerEpoch()),
                    ReleaseProducer.Response.class).outcome()).isEqualTo(ReleaseProducer.Outcome.NOT_REGISTERED);
            // A late copy of its batch: not appended again.
            assertThat(produce(c, p, 0, "a").error()).isEqualTo(ErrorCode.UNKNOWN_PRODUCER);
            assertThat(c.call(new ListProducers.Request("", 10), ListProducers.Response.class).producers()).isEmpty();
            assertThat(TestClient.values(fetchAll(c, "t", 0))).containsExactly("a");

            // An operator removes whichever instance holds a name; the instance's own release leaves a newer one.
            InitProducer.Response x = init(c, "x", 1);
            init(c, "x", 2);
            assertThat(c.call(new ReleaseProducer.Request("x", x.producerEpoch()), ReleaseProducer.Response.class)
                    .outcome()).isEqualTo(ReleaseProducer.Outcome.HELD_BY_NEWER_INSTANCE);
            assertThat(c.call(new ReleaseProducer.Request("x", (short) -1), ReleaseProducer.Response.class)
                    .outcome()).isEqualTo(ReleaseProducer.Outcome.RELEASED);
        }
        restartBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(c.call(new ListProducers.Request("", 10), ListProducers.Response.class).producers()).isEmpty();
        }
    }

    @Test
    void listProducersShowsEpochActivityAndTheLastSequencePerPartition() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 2);
            InitProducer.Response a = init(c, "orders-relay", 1);
            init(c, "other", 2);
            long before = System.currentTimeMillis();
            assertThat(produce(c, a, 0, "x").error()).isEqualTo(ErrorCode.NONE);
            c.call(new Produce.Request("t", 1, 0, TestClient.batch(a.producerId(), a.producerEpoch(), 0, "y", "z")),
                    Produce.Response.class);
            ListProducers.Response all = c.call(new ListProducers.Request("", 10), ListProducers.Response.class);
            assertThat(all.matching()).isEqualTo(2);
            ListProducers.Response r = c.call(new ListProducers.Request("orders", 10), ListProducers.Response.class);
            assertThat(r.matching()).isEqualTo(1);
            ListProducers.Producer p = r.producers().get(0);
            assertThat(p.name()).isEqualTo("orders-relay");
            assertThat(p.producerId()).isEqualTo(a.producerId());
            assertThat(p.epoch()).isEqualTo(a.producerEpoch());
            assertThat(p.expired()).isFalse();
            assertThat(p.lastActiveMs()).isGreaterThanOrEqualTo(before);
            assertThat(p.partitions()).extracting(ListProducers.PartitionState::partition,
                    ListProducers.PartitionState::highestSequence).containsExactly(
                            org.assertj.core.groups.Tuple.tuple(0, 0L), org.assertj.core.groups.Tuple.tuple(1, 1L));
            assertThat(c.call(new ListProducers.Request("", 1), ListProducers.Response.class).producers()).hasSize(1);
        }
    }

    @Test
    void aRefusedInitIsLoggedAsOneWarningNamingTheLimitSetting() throws Exception {
        startBroker(configBuilder().producersMax(1).build());
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> warnings;
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 1);
            init(c, "first", 1);
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            for (int i = 0; i < 5; i++) {
                InitProducer.Response r = c.call(new InitProducer.Request("second-" + i, "t", (short) -1, 2 + i),
                        InitProducer.Response.class);
                assertThat(r.error()).isEqualTo(ErrorCode.TOO_MANY_PRODUCERS);
            }
        } finally {
            System.setErr(original);
        }
        warnings = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("refused INIT_PRODUCER")).toList();
        assertThat(warnings).as("rate-limited: one line for five refusals").hasSize(1);
        assertThat(warnings.get(0)).contains("WARN").contains("TOO_MANY_PRODUCERS").contains("producersMax")
                .contains("second-0");
    }
}
