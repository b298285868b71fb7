package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.DeliveryGuarantee;
import io.semel.client.KeylessPartitioning;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.protocol.ApiKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer's three guarantees against a real broker, through a proxy that loses the broker's
 * reply to one PRODUCE: exactly-once retries and is deduplicated, at-least-once retries and
 * duplicates, at-most-once does not retry and reports the outcome as unknown.
 */
class ProducerAgainstBrokerTest {
    @TempDir
    Path dataDir;

    RealBroker broker;
    FaultProxy proxy;

    @BeforeEach
    void start() throws Exception {
        broker = RealBroker.start(dataDir);
        proxy = new FaultProxy(broker.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        broker.close();
    }

    private Producer producer(DeliveryGuarantee g) {
        return Producer.builder(proxy.bootstrap()).guarantee(g).lingerMs(0).retryBackoffMs(20)
                .requestTimeoutMs(5_000).deliveryTimeoutMs(20_000).build();
    }

    /** Sends one record whose reply the proxy drops; the INIT_PRODUCER / METADATA before it go through. */
    private CompletableFuture<SendResult> sendWithLostReply(Producer p, String topic, String value) throws Exception {
        // A first record settles metadata and the producer id, so the armed fault hits a PRODUCE.
        p.send(topic, bytes("warm-up")).get(10, TimeUnit.SECONDS);
        proxy.arm(FaultProxy.Fault.DISCONNECT_BEFORE_RESPONSE, ApiKey.PRODUCE);
        return p.send(topic, bytes(value));
    }

    @Test
    void roundRobinSendsSpreadOverPartitionsWithContiguousOffsets() throws Exception {
        broker.createTopic("t", 4);
        int[] perPartition = new int[4];
        try (Producer p = Producer.builder(broker.bootstrap()).keylessPartitioning(KeylessPartitioning.ROUND_ROBIN)
                .build()) {
            for (int i = 0; i < 400; i++) {
                SendResult r = p.send("t", bytes("m" + i)).get(10, TimeUnit.SECONDS);
                assertThat(r.duplicate()).isFalse();
                assertThat(r.offset()).isEqualTo(perPartition[r.partition()]);
                perPartition[r.partition()]++;
            }
        }
        assertThat(perPartition).containsExactly(100, 100, 100, 100);
        assertThat(broker.recordCount("t")).isEqualTo(400);
    }

    /**
     * Sticky keyless sends, many in flight at once over small batches: the broker's per-partition
     * sequence checks accept every batch (a wrong sequence would fail the producer), offsets are
     * contiguous per partition in send order, and every partition got a share.
     */
    @Test
    void stickySendsKeepPerPartitionSequencesAndOffsetsContiguous() throws Exception {
        broker.createTopic("t", 4);
        int count = 20_000;
        List<CompletableFuture<SendResult>> fs = new ArrayList<>();
        try (Producer p = Producer.builder(broker.bootstrap()).batchBytesMax(4_096)
                .keylessStickBytes(4_096).build()) {
            for (int i = 0; i < count; i++) {
                fs.add(p.send("t", bytes("m" + i)));
            }
            p.flush();
            long[] next = new long[4];
            for (CompletableFuture<SendResult> f : fs) {
                SendResult r = f.get(10, TimeUnit.SECONDS);
                assertThat(r.duplicate()).isFalse();
                assertThat(r.offset()).as("partition %d", r.partition()).isEqualTo(next[r.partition()]);
                next[r.partition()]++;
            }
            assertThat(p.stats().failed() + p.stats().unknown()).isZero();
            for (int partition = 0; partition < 4; partition++) {
                // Records of about 17 bytes: at least 85 sticks of at most 4 KiB (about 230 records), dealt
                // evenly in rounds; +-2,000 records is about 9 sticks.
                assertThat(next[partition]).as("records on partition %d of %s", partition, java.util.Arrays.toString(next))
                        .isBetween((long) count / 4 - count / 10, (long) count / 4 + count / 10);
            }
        }
        assertThat(broker.recordCount("t")).isEqualTo(count);
    }

    @Test
    void exactlyOnceRetryAfterLostReplyLeavesOneCopyAndReportsTheOriginalOffset() throws Exception {
        broker.createTopic("t", 1);
        try (Producer p = producer(DeliveryGuarantee.EXACTLY_ONCE)) {
            SendResult r = sendWithLostReply(p, "t", "once").get(20, TimeUnit.SECONDS);

            assertThat(proxy.faultsInjected()).isEqualTo(1);
            assertThat(r.duplicate()).as("the retry was recognised as already appended").isTrue();
            assertThat(r.offset()).as("original offset of the lost-reply append").isEqualTo(1);
            assertThat(p.stats().duplicates()).isEqualTo(1);
        }
        assertThat(broker.recordCount("t")).as("warm-up + one copy").isEqualTo(2);
    }

    @Test
    void atLeastOnceRetryAfterLostReplyAppendsADuplicate() throws Exception {
        broker.createTopic("t", 1);
        try (Producer p = producer(DeliveryGuarantee.AT_LEAST_ONCE)) {
            SendResult r = sendWithLostReply(p, "t", "twice").get(20, TimeUnit.SECONDS);

            assertThat(proxy.faultsInjected()).isEqualTo(1);
            assertThat(r.duplicate()).isFalse();
            assertThat(r.offset()).as("the retry appended a second copy after the first").isEqualTo(2);
        }
        assertThat(broker.recordCount("t")).as("warm-up + two copies").isEqualTo(3);
    }

    @Test
    void atMostOnceLostReplyFailsAsOutcomeUnknownWithoutRetry() throws Exception {
        broker.createTopic("t", 1);
        try (Producer p = producer(DeliveryGuarantee.AT_MOST_ONCE)) {
            CompletableFuture<SendResult> f = sendWithLostReply(p, "t", "maybe");

            assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(OutcomeUnknownException.class);
            assertThat(p.stats().unknown()).isEqualTo(1);
            // The next record goes out on a new connection; if the lost one had been resent it would precede it.
            SendResult next = p.send("t", bytes("after")).get(10, TimeUnit.SECONDS);
            assertThat(next.offset()).as("no resend of the lost record").isEqualTo(2);
            p.close(Duration.ofSeconds(5));
        }
        assertThat(broker.recordCount("t")).as("warm-up + the record whose reply was lost + after").isEqualTo(3);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
