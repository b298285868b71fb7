package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.Ack;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.Delivery;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.Hello;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.LogRecord;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import io.semel.protocol.ProtocolException;
import io.semel.protocol.RecordBatch;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A tiny blocking client over a real socket, for tests: send requests, read answers in order. */
final class TestClient implements Closeable {
    /** One answer as read off the wire. */
    record Answer(int requestId, ApiResponse response) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final FrameCodec codec = new FrameCodec(64 * 1024 * 1024);
    private int nextRequestId = 1;

    private TestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static TestClient connect(int port) throws IOException {
        return new TestClient(new Socket("127.0.0.1", port));
    }

    /** Connects and completes HELLO on a broker without authentication. */
    static TestClient hello(int port) throws IOException {
        TestClient c = connect(port);
        Hello.Response r = c.call(new Hello.Request("test", (short) 1), Hello.Response.class);
        assertThat(r.error()).as("hello: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
        return c;
    }

    int send(ApiRequest request) throws IOException {
        int id = nextRequestId++;
        try {
            sendRaw(codec.encodeRequest(id, request));
        } catch (ProtocolException e) {
            throw new IOException(e);
        }
        return id;
    }

    void sendRaw(ByteBuffer bytes) throws IOException {
        byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        sendRaw(b);
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next answer frame. */
    Answer receive() throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[4 + length];
        ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, 4, length);
        try {
            Frame f = codec.next(ByteBuffer.wrap(frame)).orElseThrow();
            return new Answer(f.requestId(), codec.decodeResponse(f));
        } catch (ProtocolException e) {
            return rawError(frame, e);
        }
    }

    /** The next answer, or null when the broker closed the connection (EOF or reset). */
    Answer receiveOrNull() throws IOException {
        try {
            return receive();
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** Half-closes: the broker reads end of stream after what was sent. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** An error frame for an api key this code does not know: read only error and message. */
    private static Answer rawError(byte[] frame, ProtocolException cause) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.position(8);
        int requestId = b.getInt();
        if (b.remaining() < 4) {
            throw new IOException("bad answer frame: " + cause.getMessage(), cause);
        }
        ErrorCode code = ErrorCode.forCode(b.getShort());
        short len = b.getShort();
        String message = len < 0 ? null : new String(frame, b.position(), len, StandardCharsets.UTF_8);
        return new Answer(requestId, new RawError(code, message));
    }

    /** The part of any response every peer can read. */
    record RawError(ErrorCode error, String errorMessage) implements ApiResponse {
        @Override
        public io.semel.protocol.ApiKey apiKey() {
            return null;
        }

        @Override
        public void encode(io.semel.protocol.internal.WireWriter w) {
            throw new UnsupportedOperationException();
        }
    }

    <T extends ApiResponse> T call(ApiRequest request, Class<T> type) throws IOException {
        int id = send(request);
        Answer a = receive();
        assertThat(a.requestId()).as("answer pairs with request").isEqualTo(id);
        return type.cast(a.response());
    }

    // ---- consumer groups ------------------------------------------------------------------------

    /** Joins as a new member and returns its id (asserts success). */
    String join(String group, String topic, int sessionTimeoutMs) throws IOException {
        JoinGroup.Response r = call(new JoinGroup.Request(group, topic, null, sessionTimeoutMs), JoinGroup.Response.class);
        assertThat(r.error()).as("join %s: %s", group, r.errorMessage()).isEqualTo(ErrorCode.NONE);
        return r.memberId();
    }

    Heartbeat.Response heartbeat(String group, String memberId) throws IOException {
        return call(new Heartbeat.Request(group, memberId), Heartbeat.Response.class);
    }

    LeaveGroup.Response leave(String group, String memberId) throws IOException {
        return call(new LeaveGroup.Request(group, memberId), LeaveGroup.Response.class);
    }

    Poll.Response poll(String group, String memberId, int maxMessages, int maxWaitMs) throws IOException {
        return call(new Poll.Request(group, memberId, maxMessages, maxWaitMs), Poll.Response.class);
    }

    /** Polls (asserting success) and returns the deliveries. */
    List<Delivery> deliveries(String group, String memberId, int maxMessages, int maxWaitMs) throws IOException {
        Poll.Response r = poll(group, memberId, maxMessages, maxWaitMs);
        assertThat(r.error()).as("poll: %s", r.errorMessage()).isEqualTo(ErrorCode.NONE);
        return r.deliveries();
    }

    Ack.Response ack(String group, String memberId, List<Delivery> deliveries) throws IOException {
        List<Ack.Item> items = deliveries.stream().map(d -> new Ack.Item(d.partition(), d.leaseEpoch(), d.offset()))
                .toList();
        return call(new Ack.Request(group, memberId, items), Ack.Response.class);
    }

    Nack.Response nack(String group, String memberId, List<Delivery> deliveries, String reason) throws IOException {
        List<Ack.Item> items = deliveries.stream().map(d -> new Ack.Item(d.partition(), d.leaseEpoch(), d.offset()))
                .toList();
        return call(new Nack.Request(group, memberId, items, reason, 0), Nack.Response.class);
    }

    static String value(Delivery d) {
        return new String(d.value(), StandardCharsets.UTF_8);
    }

    /** True if the broker closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    void soTimeoutMs(int ms) throws SocketException {
        socket.setSoTimeout(ms);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Cuts the connection abruptly (RST): what a crashed client looks like. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    static RecordBatch batch(long producerId, short epoch, long baseSequence, String... values) {
        List<LogRecord> records = new ArrayList<>();
        for (String v : values) {
            records.add(LogRecord.of(null, v.getBytes(StandardCharsets.UTF_8)));
        }
        return RecordBatch.of(producerId, epoch, baseSequence, 1_000L, records);
    }

    static RecordBatch plainBatch(String... values) {
        return batch(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, values);
    }

    static List<String> values(List<RecordBatch> batches) {
        List<String> out = new ArrayList<>();
        for (RecordBatch b : batches) {
            for (LogRecord r : b.records()) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
