package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.broker.security.SecurityConfig;
import io.semel.client.ClientTls;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Hello;
import io.semel.protocol.ListTopics;
import io.semel.protocol.LogRecord;
import io.semel.protocol.Produce;
import io.semel.protocol.ProtocolException;
import io.semel.protocol.RecordBatch;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers written in one pass over TLS. The broker encodes every answer into one array per I/O thread
 * and reuses it for the next answer; Netty's TLS handler keeps written buffers until the flush, so an
 * answer must leave that array before the next one is encoded into it. Requests pipelined behind a
 * long-poll are all answered in one pass when it ends: were an answer not copied out, the earlier ones
 * would arrive holding the later ones' bytes.
 */
class TlsPipelinedAnswersTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path dataDir;
    Broker broker;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(pkiDir);
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void answersHeldBehindALongPollLeaveIntactInOnePass() throws Exception {
        broker = Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(1).shutdownTimeoutMs(5_000)
                .security(SecurityConfig.builder().tls(pki.brokerP12, null, pki.passwordFile).build()).build());
        try (RawTlsClient c = new RawTlsClient(broker.port())) {
            assertThat(c.call(new Hello.Request("tls-pipeline", (short) 1), Hello.Response.class).error())
                    .isEqualTo(ErrorCode.NONE);
            assertThat(c.call(new CreateTopic.Request("t", 3), CreateTopic.Response.class).error())
                    .isEqualTo(ErrorCode.NONE);
            List<String> stored = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                stored.add("stored-" + i + "-" + "x".repeat(i % 37));
            }
            assertThat(c.call(new Produce.Request("t", 1, 5_000, batch(stored)), Produce.Response.class).error())
                    .isEqualTo(ErrorCode.NONE);

            // Partition 0 is empty: the long-poll holds every answer behind it until its 300 ms are up.
            // The late produce goes to partition 2: requests pipelined on one connection are answered in
            // order but may run in any order, so a produce to partition 1 could land before that fetch reads.
            int longPoll = c.send(new Fetch.Request("t", 0, 0, 1 << 20, 300));
            int fetchStored = c.send(new Fetch.Request("t", 1, 0, 1 << 20, 0));
            int produce = c.send(new Produce.Request("t", 2, 5_000, batch(List.of("late"))));
            int list = c.send(new ListTopics.Request());

            Fetch.Response empty = c.receive(longPoll, Fetch.Response.class);
            assertThat(empty.error()).isEqualTo(ErrorCode.NONE);
            assertThat(empty.batches()).isEmpty();
            Fetch.Response full = c.receive(fetchStored, Fetch.Response.class);
            assertThat(full.error()).isEqualTo(ErrorCode.NONE);
            assertThat(values(full.batches())).containsExactlyElementsOf(stored);
            Produce.Response appended = c.receive(produce, Produce.Response.class);
            assertThat(appended.error()).isEqualTo(ErrorCode.NONE);
            assertThat(appended.baseOffset()).isEqualTo(0);
            ListTopics.Response topics = c.receive(list, ListTopics.Response.class);
            assertThat(topics.topics()).extracting(ListTopics.Topic::name).contains("t");
        }
    }

    private static RecordBatch batch(List<String> values) {
        return RecordBatch.of(1_000L, values.stream().map(v -> LogRecord.of(null, v.getBytes(StandardCharsets.UTF_8)))
                .toList());
    }

    private static List<String> values(List<RecordBatch> batches) {
        List<String> out = new ArrayList<>();
        for (RecordBatch b : batches) {
            for (LogRecord r : b.records()) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Frames over a TLS socket trusting the test CA: requests sent back to back, answers read in order. */
    private static final class RawTlsClient implements AutoCloseable {
        private final SSLSocket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final FrameCodec codec = new FrameCodec(64 * 1024 * 1024);
        private int nextRequestId = 1;

        RawTlsClient(int port) throws IOException {
            // The SSLContext the client's own connections use when trusting the test CA.
            socket = (SSLSocket) ClientTls.trusting(pki.caPem).sslContext().getSocketFactory()
                    .createSocket("localhost", port);
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        int send(ApiRequest request) throws IOException, ProtocolException {
            int id = nextRequestId++;
            ByteBuffer frame = codec.encodeRequest(id, request);
            out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            out.flush();
            return id;
        }

        <T extends ApiResponse> T call(ApiRequest request, Class<T> type) throws IOException, ProtocolException {
            return receive(send(request), type);
        }

        /** The next answer, which must be the one to {@code requestId}, decoded whole. */
        <T extends ApiResponse> T receive(int requestId, Class<T> type) throws IOException, ProtocolException {
            int length = in.readInt();
            assertThat(length).as("frame length").isBetween(FrameCodec.HEADER_BYTES, codec.maxFrameBytes());
            byte[] whole = new byte[FrameCodec.LENGTH_FIELD_BYTES + length];
            ByteBuffer.wrap(whole).putInt(length);
            in.readFully(whole, FrameCodec.LENGTH_FIELD_BYTES, length);
            Frame frame = codec.frameOf(whole);
            assertThat(frame.requestId()).as("answers in request order").isEqualTo(requestId);
            return type.cast(codec.decodeResponse(frame));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
