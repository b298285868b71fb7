package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ApiKey;
import io.semel.protocol.Delivery;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Produce;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Replays the Jazzer corpora of the protocol module's fuzz targets against a real broker over TCP on
 * loopback, on connections that did and did not complete HELLO, then shows that a normal client can
 * still produce and consume.
 *
 * <ul>
 *   <li>{@value #REQUESTS}: inputs of {@code RequestDecodersFuzzTest} (byte 0 picks the API as
 *       there, the rest is the body), each sent as one well-framed request: every one must be
 *       answered, in order, with its request id and a typed code, never {@code UNKNOWN_SERVER_ERROR}
 *       (what the broker answers when a handler throws something unexpected);
 *   <li>{@value #STREAMS}: inputs of {@code FrameCodecFuzzTest} (byte 0 is that target's frame limit,
 *       ignored here; the rest is a raw byte stream), each written on its own connection and then
 *       half-closed: every answer must be a frame with a typed code, and the broker closes.
 * </ul>
 *
 * The corpora are packed as {@code int32 length, bytes} records; docs/fuzzing.md says how to refresh
 * them after a fuzzing run.
 */
class FuzzedFramesOverTcpTest extends BrokerTestSupport {
    static final String REQUESTS = "fuzzed-request-bodies.bin";
    static final String STREAMS = "fuzzed-streams.bin";
    /** Name length far from every corpus topic, so no fuzzed request can touch it. */
    private static final String KEPT = "intact-topic-0001";
    private static final Set<ErrorCode> UNTYPED = Set.of(ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.STORAGE_ERROR);

    @Test
    void fuzzedFramesGetTypedAnswersOrACloseAndTheBrokerKeepsServing() throws Exception {
        startBroker(configBuilder().partitionsMaxPerTopic(4).topicsMax(64).build());
        List<String> expected = List.of("before-0", "before-1", "before-2");
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, KEPT, 1);
            for (String v : expected) {
                assertThat(c.call(new Produce.Request(KEPT, 0, 0, TestClient.plainBatch(v)), Produce.Response.class)
                        .error()).isEqualTo(ErrorCode.NONE);
            }
        }
        List<byte[]> requests = corpus(REQUESTS);
        List<byte[]> streams = corpus(STREAMS);
        assertThat(requests).as("request corpus").hasSizeGreaterThan(20);
        assertThat(streams).as("stream corpus").hasSizeGreaterThan(20);

        int answered = 0;
        for (boolean hello : new boolean[] {true, false}) {
            answered += replayRequests(requests, hello);
            for (byte[] stream : streams) {
                replayStream(java.util.Arrays.copyOfRange(stream, 1, stream.length), hello);
            }
        }
        assertThat(answered).as("fuzzed requests answered").isGreaterThan(requests.size());

        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(c.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
            assertThat(TestClient.values(fetchAll(c, KEPT, 0))).containsExactlyElementsOf(expected);
            assertThat(c.call(new Produce.Request(KEPT, 0, 0, TestClient.plainBatch("after")), Produce.Response.class)
                    .baseOffset()).isEqualTo(expected.size());
            String member = c.join("after-fuzz", KEPT, 10_000);
            List<Delivery> got = new ArrayList<>();
            for (int polls = 0; got.size() < expected.size() + 1 && polls < 20; polls++) {
                got.addAll(c.deliveries("after-fuzz", member, 10, 500));
            }
            assertThat(got.stream().map(TestClient::value)).containsExactly("before-0", "before-1", "before-2", "after");
            assertThat(c.ack("after-fuzz", member, got).results()).allSatisfy(r -> assertThat(r.error())
                    .isEqualTo(ErrorCode.NONE));
        }
    }

    /** Sends each body as a request, one at a time, reconnecting when the broker closes; returns answers read. */
    private int replayRequests(List<byte[]> inputs, boolean hello) throws IOException {
        ApiKey[] apis = ApiKey.values();
        TestClient c = open(hello);
        int answered = 0;
        for (int i = 0; i < inputs.size(); i++) {
            byte[] input = inputs.get(i);
            if (input.length == 0) {
                continue;
            }
            ApiKey api = apis[(input[0] & 0xFF) % apis.length];
            int requestId = 1_000 + i;
            ByteBuffer frame = ByteBuffer.allocate(12 + input.length - 1).putInt(8 + input.length - 1)
                    .putShort(api.id()).putShort(api.latestVersion()).putInt(requestId).put(input, 1, input.length - 1);
            TestClient.Answer a;
            try {
                c.sendRaw(frame.array());
                a = c.receive();
            } catch (IOException closed) {
                // A close is an allowed answer (e.g. the broker gives up on a connection without HELLO).
                c.close();
                c = open(hello);
                continue;
            }
            answered++;
            assertThat(a.requestId()).as("answer to %s input %d", api, i).isEqualTo(requestId);
            assertThat(a.response().error()).as("%s input %d: %s", api, i, a.response().errorMessage())
                    .isNotIn(UNTYPED);
        }
        c.close();
        return answered;
    }

    private void replayStream(byte[] stream, boolean hello) throws IOException {
        try (TestClient c = open(hello)) {
            try {
                c.sendRaw(stream);
                c.shutdownOutput();
            } catch (IOException closed) {
                return; // closed before it had read everything: allowed
            }
            for (TestClient.Answer a = c.receiveOrNull(); a != null; a = c.receiveOrNull()) {
                assertThat(a.response().error()).as(a.response().errorMessage()).isNotIn(UNTYPED);
            }
        }
    }

    private TestClient open(boolean hello) throws IOException {
        TestClient c = TestClient.connect(broker.port());
        if (hello) {
            assertThat(c.call(new Hello.Request("fuzz", (short) 1), Hello.Response.class).error())
                    .isEqualTo(ErrorCode.NONE);
        }
        return c;
    }

    static List<byte[]> corpus(String resource) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (InputStream raw = FuzzedFramesOverTcpTest.class.getResourceAsStream(resource)) {
            assertThat(raw).as("test resource %s", resource).isNotNull();
            DataInputStream in = new DataInputStream(raw);
            while (in.available() > 0) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                out.add(b);
            }
        }
        return out;
    }
}
