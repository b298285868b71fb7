package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process, real SIGKILL: a broker runs as a child JVM ({@link BrokerMain}); idempotent
 * producers write to it over TCP, recording every confirmed batch; the child is killed mid-load
 * and restarted on the same data directory. Every confirmed record must be there exactly once, and
 * re-sending what was never confirmed (new epoch from a fresh INIT_PRODUCER, same sequences) must
 * never create a second copy.
 */
class BrokerKillTest {
    private static final String TOPIC = "k";
    private static final int PARTITIONS = 3;
    private static final int PRODUCERS = 4;
    private static final int CONFIRMS_BEFORE_KILL = 600;

    @TempDir
    Path dir;

    /** One batch as sent: its producer, partition, sequence range and values. */
    record Sent(int producer, int partition, long baseSeq, List<String> values) {
        RecordBatch batch(long pid, short epoch) {
            return TestClient.batch(pid, epoch, baseSeq, values.toArray(String[]::new));
        }
    }

    record Confirmed(Sent sent, long baseOffset) {
    }

    @Test
    void confirmedRecordsSurviveSigkillExactlyOnceAndResendsNeverDuplicate() throws Exception {
        Path data = dir.resolve("data");
        BrokerChild first = BrokerChild.start(data, dir.resolve("child-1.out"));
        ConcurrentLinkedQueue<Confirmed> confirmed = new ConcurrentLinkedQueue<>();
        Map<Integer, Sent> unconfirmed = new java.util.concurrent.ConcurrentHashMap<>();
        try (TestClient admin = TestClient.hello(first.port())) {
            BrokerTestSupport.createTopic(admin, TOPIC, PARTITIONS);
        }
        List<Thread> producers = new ArrayList<>();
        ConcurrentLinkedQueue<AssertionError> failures = new ConcurrentLinkedQueue<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                try {
                    produceUntilCut(first.port(), producer, confirmed, unconfirmed);
                } catch (AssertionError e) {
                    failures.add(e);
                }
            }, "producer-" + p);
            t.start();
            producers.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (confirmed.size() < CONFIRMS_BEFORE_KILL) {
            assertThat(first.process().isAlive()).as("broker child alive").isTrue();
            assertThat(System.nanoTime()).as("enough confirms in time").isLessThan(deadline);
            Thread.sleep(10);
        }
        first.process().destroyForcibly(); // SIGKILL mid-load: no hooks, no close
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (Thread t : producers) {
            t.join(30_000);
        }
        assertThat(failures).as("producers saw only confirms until the kill").isEmpty();

        BrokerChild second = BrokerChild.start(data, dir.resolve("child-2.out"));
        try (TestClient c = TestClient.hello(second.port())) {
            Map<String, Long> offsets = readAll(c);
            for (Confirmed conf : confirmed) {
                for (int i = 0; i < conf.sent().values().size(); i++) {
                    String v = conf.sent().values().get(i);
                    assertThat(offsets).as("confirmed %s", v).containsEntry(v, conf.baseOffset() + i);
                }
            }
            // Resend: a fresh INIT bumps the epoch; sequences continue across epochs.
            for (int p = 0; p < PRODUCERS; p++) {
                InitProducer.Response init = c.call(new InitProducer.Request("producer-" + p, TOPIC),
                        InitProducer.Response.class);
                assertThat(init.error()).isEqualTo(ErrorCode.NONE);
                for (Confirmed conf : confirmed) {
                    if (conf.sent().producer() == p) {
                        assertThat(init.sequences().get(conf.sent().partition()).highestSequence())
                                .isGreaterThanOrEqualTo(conf.sent().baseSeq() + conf.sent().values().size() - 1);
                    }
                }
                Sent pending = unconfirmed.get(p);
                if (pending != null) {
                    Produce.Response r = c.call(new Produce.Request(TOPIC, pending.partition(), 0,
                            pending.batch(init.producerId(), init.producerEpoch())), Produce.Response.class);
                    assertThat(r.error()).as("resend of %s: %s", pending, r.errorMessage()).isEqualTo(ErrorCode.NONE);
                }
            }
            Map<String, Long> after = readAll(c); // fails on any record present twice
            unconfirmed.values().forEach(s -> assertThat(after).containsKeys(s.values().toArray(String[]::new)));
            assertThat(after.size()).isGreaterThanOrEqualTo(confirmed.stream().mapToInt(x -> x.sent().values().size()).sum());
        } finally {
            second.stop();
        }
    }

    /** Sends batches one at a time until the connection breaks; records each confirm. */
    private static void produceUntilCut(int port, int producer, ConcurrentLinkedQueue<Confirmed> confirmed,
            Map<Integer, Sent> unconfirmed) {
        long[] nextSeq = new long[PARTITIONS];
        try (TestClient c = TestClient.hello(port)) {
            InitProducer.Response init = c.call(new InitProducer.Request("producer-" + producer, TOPIC),
                    InitProducer.Response.class);
            for (int n = 0; ; n++) {
                int partition = n % PARTITIONS;
                List<String> values = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    values.add("p" + producer + "-" + partition + "-s" + (nextSeq[partition] + i));
                }
                Sent sent = new Sent(producer, partition, nextSeq[partition], values);
                unconfirmed.put(producer, sent);
                Produce.Response r = c.call(new Produce.Request(TOPIC, partition, 0,
                        sent.batch(init.producerId(), init.producerEpoch())), Produce.Response.class);
                assertThat(r.error()).as("produce: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
                confirmed.add(new Confirmed(sent, r.baseOffset()));
                unconfirmed.remove(producer);
                nextSeq[partition] += values.size();
            }
        } catch (IOException e) {
            // the broker was killed
        }
    }

    /** value → offset over every partition; fails if any record appears twice. */
    private static Map<String, Long> readAll(TestClient c) throws IOException {
        Map<String, Long> offsets = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (RecordBatch b : BrokerTestSupport.fetchAll(c, TOPIC, p)) {
                long offset = b.baseOffset();
                for (String v : TestClient.values(List.of(b))) {
                    assertThat(offsets.put(v, offset++)).as("record %s appears twice", v).isNull();
                }
            }
        }
        return offsets;
    }
}
