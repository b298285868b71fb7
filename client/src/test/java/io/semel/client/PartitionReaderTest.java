package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.it.RealBroker;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PartitionReader against a real broker: offsets, mid-batch starts, end of log, errors. */
class PartitionReaderTest {
    @TempDir
    Path dataDir;

    private RealBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = RealBroker.start(dataDir, 64 * 1024);
        broker.createTopic("events", 2);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private void produce(int count) {
        try (Producer p = Producer.builder(broker.bootstrap()).lingerMs(5).build()) {
            for (int i = 0; i < count; i++) {
                p.send("events", "k".getBytes(StandardCharsets.UTF_8), bytes("v" + i),
                        List.of(Header.of("n", Integer.toString(i))));
            }
            p.flush();
        }
    }

    @Test
    void readsEveryRecordInOffsetOrderWithItsOffsetAndHeaders() {
        produce(50);
        int partition = Partitioner.partitionForKey("k".getBytes(StandardCharsets.UTF_8), 2);
        try (PartitionReader r = PartitionReader.builder(broker.bootstrap()).fetchMaxBytes(200).build()) {
            List<PartitionRecord> all = r.readToEnd("events", partition, 0, 1_000);
            assertThat(all).hasSize(50);
            for (int i = 0; i < 50; i++) {
                assertThat(all.get(i).offset()).isEqualTo(i);
                assertThat(all.get(i).partition()).isEqualTo(partition);
                assertThat(new String(all.get(i).value(), StandardCharsets.UTF_8)).isEqualTo("v" + i);
                assertThat(all.get(i).header("n")).isEqualTo(Integer.toString(i));
            }
            assertThat(r.readToEnd("events", 1 - partition, 0, 1_000)).isEmpty();
        }
    }

    @Test
    void startingInsideABatchSkipsTheRecordsBeforeTheOffset() {
        produce(20); // linger 5 ms: several records per batch
        int partition = Partitioner.partitionForKey("k".getBytes(StandardCharsets.UTF_8), 2);
        try (PartitionReader r = PartitionReader.builder(broker.bootstrap()).build()) {
            for (long from = 0; from <= 20; from++) {
                List<PartitionRecord> rest = r.readToEnd("events", partition, from, 100);
                assertThat(rest).hasSize((int) (20 - from));
                if (!rest.isEmpty()) {
                    assertThat(rest.get(0).offset()).isEqualTo(from);
                }
            }
        }
    }

    @Test
    void readAtTheEndIsEmptyAndReportsTheLogEnd() {
        produce(3);
        int partition = Partitioner.partitionForKey("k".getBytes(StandardCharsets.UTF_8), 2);
        try (PartitionReader r = PartitionReader.builder(broker.bootstrap()).build()) {
            PartitionRead read = r.read("events", partition, 3, 0);
            assertThat(read.records()).isEmpty();
            assertThat(read.nextOffset()).isEqualTo(3);
            assertThat(read.logEndOffset()).isEqualTo(3);
            assertThat(read.atEnd()).isTrue();
            List<Long> offsets = new ArrayList<>();
            PartitionRead first = r.read("events", partition, 0, 0);
            first.records().forEach(rec -> offsets.add(rec.offset()));
            assertThat(offsets).startsWith(0L);
            assertThat(first.nextOffset()).isEqualTo(offsets.get(offsets.size() - 1) + 1);
        }
    }

    @Test
    void offsetBeyondTheEndAndUnknownTopicAreDefiniteFailuresWithNumbers() {
        produce(3);
        try (PartitionReader r = PartitionReader.builder(broker.bootstrap()).build()) {
            int partition = Partitioner.partitionForKey("k".getBytes(StandardCharsets.UTF_8), 2);
            assertThatThrownBy(() -> r.read("events", partition, 10, 0))
                    .isInstanceOf(DefiniteFailureException.class)
                    .hasMessageContaining("log end 3")
                    .satisfies(e -> assertThat(((SemelException) e).errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE));
            assertThatThrownBy(() -> r.read("nope", 0, 0, 0)).isInstanceOf(DefiniteFailureException.class)
                    .satisfies(e -> assertThat(((SemelException) e).errorCode())
                            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
            assertThat(r.partitionCount("events")).isEqualTo(2);
        }
    }

    @Test
    void partitionerMatchesWhereTheProducerPutsAKey() {
        try (Producer p = Producer.builder(broker.bootstrap()).build()) {
            for (int i = 0; i < 20; i++) {
                byte[] key = bytes("key-" + i);
                SendResult res = p.send("events", key, bytes("x")).join();
                assertThat(res.partition()).isEqualTo(Partitioner.partitionForKey(key, 2));
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
