package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.Connection;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Hello;
import io.semel.protocol.Metadata;
import io.semel.protocol.Protocol;
import io.semel.protocol.ProtocolException;
import io.semel.protocol.TopicNames;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionTest {
    private final ScriptedBroker broker;

    ConnectionTest() throws Exception {
        broker = new ScriptedBroker().topic("orders", 3);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private BrokerChannel channel(int requestTimeoutMs) {
        String[] hp = ConnectionSettings.splitBootstrap(broker.bootstrap());
        return new BrokerChannel(new ConnectionSettings(hp[0], Integer.parseInt(hp[1]), "test-client",
                ClientSecurity.NONE, requestTimeoutMs, 2_000, 10, 100));
    }

    @Test
    void helloIsTheFirstRequestAndCarriesTheClientId() {
        try (BrokerChannel ch = channel(2_000)) {
            Metadata.Response r = ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0);
            assertThat(r.topics().get(0).partitionCount()).isEqualTo(3);
        }
        List<ScriptedBroker.Received> got = broker.received();
        assertThat(got.get(0).request()).isInstanceOf(Hello.Request.class);
        assertThat(((Hello.Request) got.get(0).request()).clientId()).isEqualTo("test-client");
        assertThat(got.get(1).request().apiKey()).isEqualTo(ApiKey.METADATA);
    }

    @Test
    void unansweredRequestTimesOutAsUnknownAndTheNextCallUsesAFreshConnection() {
        broker.onNext(ApiKey.METADATA, new ScriptedBroker.Delay(5_000));
        try (BrokerChannel ch = channel(150)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0))
                    .isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("150 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
            Metadata.Response r = ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
        }
        assertThat(broker.connectionCount()).isEqualTo(2);
    }

    @Test
    void aCutConnectionFailsEveryPipelinedRequestAsUnknown() {
        broker.onNext(ApiKey.METADATA, new ScriptedBroker.Delay(300), new ScriptedBroker.Drop());
        try (BrokerChannel ch = channel(2_000)) {
            CompletableFuture<ApiResponse> first = ch.send(new Metadata.Request(List.of("orders")), 0);
            CompletableFuture<ApiResponse> second = ch.send(new Metadata.Request(List.of("orders")), 0);
            Wait.until(() -> first.isDone() && second.isDone(), 3_000, "both requests to end");
            // The first answer was only delayed, so it arrives; the second request's reply is lost.
            assertThat(first).isCompleted();
            assertThat(second).isCompletedExceptionally();
            assertThatThrownBy(second::join).hasCauseInstanceOf(OutcomeUnknownException.class);
        }
    }

    @Test
    void bootstrapMustBeHostColonPort() {
        assertThatThrownBy(() -> Producer.builder("localhost").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host:port");
    }

    @Test
    void aFrameLargerThanTheReadBufferArrivesWholeBetweenSmallOnesAndInPieces() throws Exception {
        // About 300 KiB: read straight into an array of its own once its header is in.
        List<Metadata.TopicMetadata> many = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add(new Metadata.TopicMetadata("topic-" + i + "-with-a-longer-name", ErrorCode.NONE, i % 7 + 1));
        }
        List<Metadata.Response> sent = List.of(metadata(many.subList(0, 1)), metadata(many), metadata(many.subList(0, 3)));
        assertThat(servedInPieces(sent)).isEqualTo(sent);
    }

    /** Frames of one byte less than, exactly and one byte more than the read buffer take either path whole. */
    @Test
    void framesAtTheReadBufferSizeArriveWhole() throws Exception {
        for (int size : new int[] {Connection.READ_BUFFER_BYTES - 1, Connection.READ_BUFFER_BYTES,
                Connection.READ_BUFFER_BYTES + 1}) {
            Metadata.Response exact = ofFrameBytes(size);
            List<Metadata.Response> sent = List.of(exact, ofFrameBytes(100), exact);
            assertThat(servedInPieces(sent)).as("frames of %d bytes", size).isEqualTo(sent);
        }
    }

    /**
     * Serves {@code answers} to as many pipelined METADATA requests, back to back in 7,000-byte pieces with
     * pauses (so frames arrive over several reads, and several share one), and returns what the client got.
     */
    private static List<Metadata.Response> servedInPieces(List<Metadata.Response> answers) throws Exception {
        FrameCodec codec = new FrameCodec();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    for (int i = 0; i <= answers.size(); i++) {
                        int length = in.readInt();
                        byte[] rest = new byte[length];
                        in.readFully(rest);
                        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(4 + length).putInt(length).put(rest).flip();
                        Frame f = codec.next(frame).orElseThrow();
                        ApiResponse answer = i == 0
                                ? new Hello.Response(ErrorCode.NONE, null, "b", Protocol.PROTOCOL_VERSION, 1 << 24, 1 << 22, null)
                                : answers.get(i - 1);
                        java.nio.ByteBuffer bytes = codec.encodeResponse(f.requestId(), answer);
                        if (i == 0) {
                            s.getOutputStream().write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                            continue;
                        }
                        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                    }
                    byte[] all = out.toByteArray();
                    for (int at = 0; at < all.length; at += 7_000) {
                        s.getOutputStream().write(all, at, Math.min(7_000, all.length - at));
                        s.getOutputStream().flush();
                        Thread.sleep(1);
                    }
                    s.getInputStream().read(); // until the client closes
                } catch (java.io.IOException | InterruptedException | ProtocolException ignored) {
                    // the client closed first; the test's assertions say what went wrong
                }
            }, "pieces-server");
            t.setDaemon(true);
            t.start();
            try (BrokerChannel ch = new BrokerChannel(new ConnectionSettings("127.0.0.1", server.getLocalPort(),
                    "test-client", ClientSecurity.NONE, 5_000, 2_000, 10, 100))) {
                List<CompletableFuture<ApiResponse>> pending = new java.util.ArrayList<>();
                for (int i = 0; i < answers.size(); i++) {
                    pending.add(ch.send(new Metadata.Request(List.of("orders")), 0));
                }
                List<Metadata.Response> got = new java.util.ArrayList<>();
                for (CompletableFuture<ApiResponse> f : pending) {
                    got.add((Metadata.Response) f.get(5, java.util.concurrent.TimeUnit.SECONDS));
                }
                return got;
            }
        }
    }

    private static Metadata.Response metadata(List<Metadata.TopicMetadata> topics) {
        return new Metadata.Response(ErrorCode.NONE, null, topics);
    }

    /** A METADATA answer whose frame, length field included, is exactly {@code frameBytes} long. */
    private static Metadata.Response ofFrameBytes(int frameBytes) throws ProtocolException {
        FrameCodec codec = new FrameCodec();
        List<Metadata.TopicMetadata> topics = new java.util.ArrayList<>();
        while (true) {
            int size = codec.encodeResponse(1, metadata(topics)).remaining();
            int missing = frameBytes - size;
            if (missing == 0) {
                return metadata(topics);
            }
            if (missing < 0) {
                throw new IllegalArgumentException("no METADATA answer is " + frameBytes + " bytes");
            }
            int last = topics.size() - 1;
            int grown = last < 0 ? 0 : topics.get(last).name().length() + missing;
            if (last >= 0 && grown <= TopicNames.MAX_TOPIC_NAME_CHARS) {
                topics.set(last, new Metadata.TopicMetadata("t".repeat(grown), ErrorCode.NONE, 1));
            } else {
                topics.add(new Metadata.TopicMetadata("t", ErrorCode.NONE, 1)); // room for another
            }
        }
    }

    @Test
    void aServerThatAnswersWithTlsBytesIsReportedAsNeedingTls() throws Exception {
        // A TLS-only endpoint (a TLS proxy, say) answers a plain HELLO with a TLS alert record.
        try (java.net.ServerSocket tlsOnly = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket s = tlsOnly.accept()) {
                    s.getInputStream().read(new byte[64]);
                    s.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // until the client closes
                } catch (java.io.IOException ignored) {
                    // the client closed first
                }
            }, "tls-only-server");
            server.setDaemon(true);
            server.start();
            try (BrokerChannel ch = new BrokerChannel(new ConnectionSettings("127.0.0.1", tlsOnly.getLocalPort(),
                    "test-client", ClientSecurity.NONE, 2_000, 2_000, 10, 100))) {
                assertThatThrownBy(() -> ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0))
                        .isInstanceOf(TlsException.class).hasMessageContaining("answered with TLS")
                        .satisfies(e -> assertThat(((TlsException) e).errorCode()).isEqualTo(ErrorCode.TLS_REQUIRED));
            }
        }
    }
}
