package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.ListTopics;
import io.semel.protocol.LogRecord;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProduceFetchTest extends BrokerTestSupport {

    @Test
    void producedBatchesAreFetchedBackPerPartitionInOrder() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 3);
            List<List<String>> expected = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                expected.add(new ArrayList<>());
            }
            for (int i = 0; i < 60; i++) {
                int p = i % 3;
                String v1 = "m" + i + "a";
                String v2 = "m" + i + "b";
                Produce.Response r = c.call(new Produce.Request("t", p, 5_000, TestClient.plainBatch(v1, v2)),
                        Produce.Response.class);
                assertThat(r.error()).isEqualTo(ErrorCode.NONE);
                assertThat(r.baseOffset()).isEqualTo(expected.get(p).size());
                assertThat(r.lastOffset()).isEqualTo(expected.get(p).size() + 1L);
                assertThat(r.duplicate()).isFalse();
                expected.get(p).add(v1);
                expected.get(p).add(v2);
            }
            for (int p = 0; p < 3; p++) {
                assertThat(TestClient.values(fetchAll(c, "t", p))).containsExactlyElementsOf(expected.get(p));
            }
            Fetch.Response mid = c.call(new Fetch.Request("t", 0, 5, 1, 0), Fetch.Response.class);
            assertThat(mid.batches()).hasSize(1); // at least one batch even with a tiny maxBytes
            assertThat(mid.batches().get(0).baseOffset()).isEqualTo(4); // the batch holding offset 5
            assertThat(mid.nextOffset()).isEqualTo(40);
        }
    }

    @Test
    void answersLeaveInRequestOrderWhenALongPollIsPipelinedFirst() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 2);
            int fetchId = c.send(new Fetch.Request("t", 0, 0, 1 << 20, 300));
            int produceId = c.send(new Produce.Request("t", 1, 0, TestClient.plainBatch("x")));
            int listId = c.send(new ListTopics.Request());
            long start = System.nanoTime();
            TestClient.Answer first = c.receive();
            assertThat(first.requestId()).isEqualTo(fetchId);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250);
            assertThat(((Fetch.Response) first.response()).batches()).isEmpty();
            assertThat(c.receive().requestId()).isEqualTo(produceId);
            assertThat(c.receive().requestId()).isEqualTo(listId);
        }
    }

    @Test
    void longPollReturnsAsSoonAsDataIsDurable() throws Exception {
        startBroker();
        try (TestClient consumer = TestClient.hello(broker.port());
                TestClient producer = TestClient.hello(broker.port())) {
            createTopic(producer, "t", 1);
            int id = consumer.send(new Fetch.Request("t", 0, 0, 1 << 20, 10_000));
            Thread.sleep(50);
            long start = System.nanoTime();
            producer.call(new Produce.Request("t", 0, 0, TestClient.plainBatch("hello")), Produce.Response.class);
            TestClient.Answer a = consumer.receive();
            assertThat(a.requestId()).isEqualTo(id);
            assertThat(TestClient.values(((Fetch.Response) a.response()).batches())).containsExactly("hello");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
    }

    @Test
    void fetchNeverServesWhatIsNotFlushed() throws Exception {
        // Interval flushing confirms after the write: the data is in the log but not yet forced.
        startBroker(configBuilder().flushIntervalMs(3_600_000).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 1);
            Produce.Response r = c.call(new Produce.Request("t", 0, 0, TestClient.plainBatch("a", "b")),
                    Produce.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
            Fetch.Response f = c.call(new Fetch.Request("t", 0, 0, 1 << 20, 100), Fetch.Response.class);
            assertThat(f.error()).isEqualTo(ErrorCode.NONE);
            assertThat(f.nextOffset()).isEqualTo(2);
            assertThat(f.batches()).as("nothing below flushedOffset yet").isEmpty();
        }
        restartBroker(); // clean close flushes
        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(TestClient.values(fetchAll(c, "t", 0))).containsExactly("a", "b");
        }
    }

    @Test
    void errorsCarryTheirCodesAndTheConnectionStaysUsable() throws Exception {
        startBroker(configBuilder().maxBatchBytes(4096).maxRecordBytes(4096).build());
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 2);
            Produce.Response unknown = c.call(new Produce.Request("nope", 0, 0, TestClient.plainBatch("a")),
                    Produce.Response.class);
            assertThat(unknown.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            Produce.Response noPartition = c.call(new Produce.Request("t", 2, 0, TestClient.plainBatch("a")),
                    Produce.Response.class);
            assertThat(noPartition.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(noPartition.errorMessage()).contains("partitions 0..1");
            RecordBatch big = RecordBatch.of(1L, List.of(LogRecord.of(null, new byte[5000])));
            Produce.Response tooLarge = c.call(new Produce.Request("t", 0, 0, big), Produce.Response.class);
            assertThat(tooLarge.error()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
            assertThat(tooLarge.errorMessage()).contains("4096");

            c.call(new Produce.Request("t", 0, 0, TestClient.plainBatch("a")), Produce.Response.class);
            Fetch.Response beyond = c.call(new Fetch.Request("t", 0, 5, 100, 0), Fetch.Response.class);
            assertThat(beyond.error()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
            assertThat(beyond.startOffset()).isZero();
            assertThat(beyond.nextOffset()).isEqualTo(1);
            assertThat(c.call(new Fetch.Request("t", 9, 0, 100, 0), Fetch.Response.class).error())
                    .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(TestClient.values(fetchAll(c, "t", 0))).containsExactly("a");
        }
    }

    /** A waiting FETCH is woken by the durable-end publication of the append that makes data durable. */
    @Test
    void aWaitingFetchIsWokenByTheDurableEnd() throws Exception {
        startBroker();
        try (TestClient reader = TestClient.hello(broker.port()); TestClient writer = TestClient.hello(broker.port())) {
            createTopic(writer, "t", 1);
            int fetchId = reader.send(new io.semel.protocol.Fetch.Request("t", 0, 0, 1 << 20, 60_000));
            Produce.Response p = writer.call(new Produce.Request("t", 0, 0, TestClient.plainBatch("a", "b")),
                    Produce.Response.class);
            assertThat(p.error()).isEqualTo(ErrorCode.NONE);
            // The wait is 60 s; receive() gives up after the client's 20 s socket timeout: answered early or failed.
            TestClient.Answer answer = reader.receive();
            assertThat(answer.requestId()).isEqualTo(fetchId);
            io.semel.protocol.Fetch.Response f = (io.semel.protocol.Fetch.Response) answer.response();
            assertThat(f.error()).isEqualTo(ErrorCode.NONE);
            assertThat(f.batches()).as("woken by the produce, not answered empty at the deadline").hasSize(1);
        }
    }
}
