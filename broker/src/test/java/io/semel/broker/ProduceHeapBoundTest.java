package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An answered PRODUCE must not stay in the broker's heap. Sustained, pipelined produce of 1 KiB
 * records with a 30 s request timeout against a broker child with a small heap: every request is
 * confirmed, the broker never runs out of memory, and its live heap after a full GC stays small.
 * Before the fix, each request's timeout timer held its batch for the whole 30 s, so the live heap
 * grew with the bytes produced in the last 30 s (1 GiB after 6 s here at full speed).
 */
class ProduceHeapBoundTest {
    private static final String TOPIC = "heap";
    private static final int RECORD_BYTES = 1024;
    private static final int RECORDS_PER_BATCH = 64;
    private static final int IN_FLIGHT_REQUESTS = 32;
    private static final int REQUEST_TIMEOUT_MS = 30_000;
    private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(12);
    private static final long BYTES_MAX = 600L << 20;
    /** Far above what the broker needs at rest (about 10–20 MiB), far below 30 s of this load. */
    private static final long LIVE_HEAP_MAX_BYTES = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void answeredProduceRequestsDoNotAccumulateInTheHeap() throws Exception {
        BrokerChild broker = BrokerChild.start(dir.resolve("data"), dir.resolve("broker.out"), "-Xmx160m");
        try (TestClient c = TestClient.hello(broker.port())) {
            BrokerTestSupport.createTopic(c, TOPIC, 1);
            String[] values = new String[RECORDS_PER_BATCH];
            char[] filler = new char[RECORD_BYTES - 8];
            Arrays.fill(filler, 'x');
            long sentBytes = 0;
            int sent = 0;
            int answered = 0;
            long until = System.nanoTime() + LOAD_NANOS;
            while (System.nanoTime() - until < 0 && sentBytes < BYTES_MAX) {
                while (sent - answered < IN_FLIGHT_REQUESTS) {
                    for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                        values[i] = String.format("%08d", sent * RECORDS_PER_BATCH + i) + new String(filler);
                    }
                    RecordBatch batch = TestClient.plainBatch(values);
                    c.send(new Produce.Request(TOPIC, 0, REQUEST_TIMEOUT_MS, batch));
                    sentBytes += batch.sizeInBytes();
                    sent++;
                }
                expectConfirmed(c, broker);
                answered++;
            }
            while (answered < sent) {
                expectConfirmed(c, broker);
                answered++;
            }
            assertThat(sentBytes).as("load produced").isGreaterThan(100L << 20);
            long live = broker.liveHeapBytes();
            System.out.printf("ProduceHeapBoundTest: %d MiB in %d requests of %d x %d B; broker live heap after full GC"
                    + " %.1f MiB (-Xmx160m)%n", sentBytes >> 20, sent, RECORDS_PER_BATCH, RECORD_BYTES, live / 1048576.0);
            assertThat(broker.output()).doesNotContain("OutOfMemoryError");
            assertThat(live).as("broker live heap after %d MiB produced in %d requests", sentBytes >> 20, sent)
                    .isLessThan(LIVE_HEAP_MAX_BYTES);
        } finally {
            broker.stop();
        }
    }

    private static void expectConfirmed(TestClient c, BrokerChild broker) throws IOException {
        Produce.Response r;
        try {
            r = (Produce.Response) c.receive().response();
        } catch (IOException e) {
            String out = broker.output();
            throw new AssertionError("connection lost under load (" + e + "); broker output ends:\n"
                    + out.substring(Math.max(0, out.length() - 3000)), e);
        }
        assertThat(r.error()).as("produce: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
    }
}
