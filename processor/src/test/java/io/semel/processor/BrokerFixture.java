package io.semel.processor;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Hello;
import io.semel.protocol.LogRecord;
import io.semel.protocol.ProtocolException;
import io.semel.protocol.RecordBatch;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real broker (with its group coordinator) on loopback for processor tests, plus the two admin
 * calls the client library does not offer: create a topic, read a whole partition.
 * The broker module's own {@code BrokerTestSupport} is package-private to its tests, so this is the
 * processor's equivalent.
 */
final class BrokerFixture implements AutoCloseable {
    /** Group settings the tests run with: short, so redelivery and dead-lettering happen in seconds. */
    static final long ACK_TIMEOUT_MS = 1_500;
    static final int MAX_DELIVERIES = 3;
    static final long NACK_BACKOFF_MS = 20;
    static final long NACK_BACKOFF_MAX_MS = 100;
    static final RedeliverySettings REDELIVERY = new RedeliverySettings(ACK_TIMEOUT_MS, MAX_DELIVERIES,
            NACK_BACKOFF_MAX_MS);

    final Broker broker;

    private BrokerFixture(Broker broker) {
        this.broker = broker;
    }

    static BrokerFixture start(Path dataDir) throws IOException {
        return start(dataDir, MAX_DELIVERIES);
    }

    /** With another maxDeliveries than the tests' {@link #MAX_DELIVERIES}. */
    static BrokerFixture start(Path dataDir, int maxDeliveries) throws IOException {
        BrokerConfig config = BrokerConfig.builder(dataDir).port(0).ioThreads(2).segmentBytes(256 * 1024)
                .shutdownTimeoutMs(5_000).groupTickMs(20).sessionTimeoutMinMs(200).ackTimeoutMs(ACK_TIMEOUT_MS)
                .maxDeliveries(maxDeliveries).nackBackoffMs(NACK_BACKOFF_MS).nackBackoffMaxMs(NACK_BACKOFF_MAX_MS)
                .build();
        return new BrokerFixture(Broker.start(config));
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    void createTopic(String name, int partitions) throws IOException {
        try (Admin a = new Admin(broker.port())) {
            CreateTopic.Response r = a.call(new CreateTopic.Request(name, partitions), CreateTopic.Response.class);
            if (r.error() != ErrorCode.NONE) {
                throw new IOException("create " + name + ": " + r.error() + " " + r.errorMessage());
            }
        }
    }

    /** Every record of the partition from offset 0; empty when the topic does not exist yet. */
    List<LogRecord> readAll(String topic, int partition) throws IOException {
        List<LogRecord> all = new ArrayList<>();
        try (Admin a = new Admin(broker.port())) {
            long offset = 0;
            while (true) {
                Fetch.Response r = a.call(new Fetch.Request(topic, partition, offset, 1 << 20, 0), Fetch.Response.class);
                if (r.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
                    return all;
                }
                if (r.error() != ErrorCode.NONE) {
                    throw new IOException("fetch " + topic + ": " + r.error() + " " + r.errorMessage());
                }
                if (r.batches().isEmpty()) {
                    return all;
                }
                for (RecordBatch b : r.batches()) {
                    if (b.nextOffset() > offset) {
                        all.addAll(b.records());
                        offset = b.nextOffset();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        broker.close();
    }

    /** A blocking protocol connection: one request, one answer. */
    private static final class Admin implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final FrameCodec codec = new FrameCodec(64 * 1024 * 1024);
        private int nextId = 1;

        Admin(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            Hello.Response h = call(new Hello.Request("processor-test", (short) 1), Hello.Response.class);
            if (h.error() != ErrorCode.NONE) {
                throw new IOException("hello: " + h.error());
            }
        }

        <T extends ApiResponse> T call(ApiRequest request, Class<T> type) throws IOException {
            int id = nextId++;
            try {
                ByteBuffer bytes = codec.encodeRequest(id, request);
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                out.write(b);
                out.flush();
                int length = in.readInt();
                byte[] frame = new byte[4 + length];
                ByteBuffer.wrap(frame).putInt(length);
                in.readFully(frame, 4, length);
                Frame f = codec.next(ByteBuffer.wrap(frame)).orElseThrow();
                if (f.requestId() != id) {
                    throw new IOException("answer " + f.requestId() + " for request " + id);
                }
                return type.cast(codec.decodeResponse(f));
            } catch (ProtocolException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
