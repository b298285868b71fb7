package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.Ack;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.DescribeTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.Hello;
import io.semel.protocol.InitProducer;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Metadata;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import io.semel.protocol.Produce;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Throws {@value #FRAMES} seeded random and mutated frames at a live broker over a few connections,
 * then checks that it still serves and that a topic written before the storm is exactly as it was.
 * Replay a failure with {@code -Dsemel.fuzz.seed=N}.
 */
class BrokerFuzzTest extends BrokerTestSupport {
    private static final int FRAMES = 10_000;
    private static final int CONNECTIONS = 4;
    /** A connection is replaced after this many frames, so a long-poll never stalls the sender for good. */
    private static final int FRAMES_PER_CONNECTION = 100;
    /** Name length far from every template topic, so no mutation can turn one into it. */
    private static final String KEPT = "intact-topic-0001";

    @Test
    void brokerSurvivesTenThousandBadFramesAndKeepsItsData() throws Exception {
        long seed = Long.getLong("semel.fuzz.seed", 20_240_611L);
        startBroker(configBuilder().partitionsMaxPerTopic(4).topicsMax(64).build());
        List<String> expected = new ArrayList<>();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, KEPT, 2);
            createTopic(c, "f", 2);
            for (int i = 0; i < 20; i++) {
                String v = "kept-" + i;
                c.call(new Produce.Request(KEPT, 0, 0, TestClient.plainBatch(v)), Produce.Response.class);
                expected.add(v);
            }
        }
        Random random = new Random(seed);
        List<ByteBuffer> templates = templates();
        FuzzConnection[] conns = new FuzzConnection[CONNECTIONS];
        int sent = 0;
        while (sent < FRAMES) {
            int i = random.nextInt(CONNECTIONS);
            if (conns[i] == null || conns[i].closed() || conns[i].frames >= FRAMES_PER_CONNECTION) {
                if (conns[i] != null) {
                    conns[i].close();
                }
                conns[i] = new FuzzConnection(broker.port(), random.nextInt(4) != 0);
            }
            byte[] frame = random.nextInt(10) < 3 ? randomBytes(random) : mutate(random, templates);
            conns[i].send(frame);
            sent++;
        }
        for (FuzzConnection f : conns) {
            if (f != null) {
                f.close();
            }
        }
        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(c.call(new ListTopics.Request(), ListTopics.Response.class).error()).as("seed %s", seed)
                    .isEqualTo(ErrorCode.NONE);
            assertThat(TestClient.values(fetchAll(c, KEPT, 0))).as("seed %s", seed).containsExactlyElementsOf(expected);
            assertThat(fetchAll(c, KEPT, 1)).as("seed %s", seed).isEmpty();
            Produce.Response more = c.call(new Produce.Request(KEPT, 0, 0, TestClient.plainBatch("after")),
                    Produce.Response.class);
            assertThat(more.baseOffset()).isEqualTo(expected.size());
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[1 + random.nextInt(64)];
        random.nextBytes(b);
        if (b.length >= 4 && random.nextBoolean()) {
            // A plausible length, so some of these get past framing into the decoders.
            ByteBuffer.wrap(b).putInt(0, Math.max(0, b.length - 4));
        }
        return b;
    }

    private static byte[] mutate(Random random, List<ByteBuffer> templates) {
        ByteBuffer t = templates.get(random.nextInt(templates.size()));
        byte[] b = new byte[t.remaining()];
        t.duplicate().get(b);
        switch (random.nextInt(5)) {
            case 0 -> { // flip bytes in header or body
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    b[4 + random.nextInt(b.length - 4)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> { // cut the body, keep the length consistent
                int keep = 12 + random.nextInt(Math.max(1, b.length - 12));
                byte[] cut = new byte[keep];
                System.arraycopy(b, 0, cut, 0, keep);
                ByteBuffer.wrap(cut).putInt(0, keep - 4);
                b = cut;
            }
            case 2 -> ByteBuffer.wrap(b).putShort(4, (short) random.nextInt(20)); // another api key
            case 3 -> ByteBuffer.wrap(b).putShort(6, (short) random.nextInt(4)); // another version
            default -> { // flip bytes in the body only: decoders see bad values
                if (b.length > 12) {
                    b[12 + random.nextInt(b.length - 12)] ^= (byte) (1 + random.nextInt(255));
                }
            }
        }
        return b;
    }

    private static List<ByteBuffer> templates() throws Exception {
        FrameCodec codec = new FrameCodec();
        List<ApiRequest> requests = List.of(new Hello.Request("fuzz", (short) 1),
                new Metadata.Request(List.of("f", "x")), new CreateTopic.Request("g", 2), new ListTopics.Request(),
                new DescribeTopic.Request("f"), new InitProducer.Request("p", "f"),
                new Produce.Request("f", 1, 1000, TestClient.plainBatch("fuzz", "more")),
                new Produce.Request("f", 0, 1000, TestClient.batch(0, (short) 0, 0, "s")),
                new Fetch.Request("f", 0, 0, 1024, 0), new JoinGroup.Request("g", "f", null, 1000),
                new Heartbeat.Request("g", "m"), new Poll.Request("g", "m", 10, 0),
                new Poll.Request("g", "m", 10, 0, List.of(new Ack.Item(0, 1, 2), new Ack.Item(0, 1, 3))),
                new Poll.Request("g", "m", 10, 0, List.of(), Poll.VERSION_PLAIN),
                new Ack.Request("g", "m", List.of(new Ack.Item(0, 1, 2))),
                new Nack.Request("g", "m", List.of(new Ack.Item(0, 1, 2)), "why", 10));
        List<ByteBuffer> out = new ArrayList<>();
        int id = 1;
        for (ApiRequest r : requests) {
            out.add(codec.encodeRequest(id++, r));
        }
        return out;
    }

    /** A raw connection whose answers are read and dropped by a daemon thread. */
    private static final class FuzzConnection {
        private final Socket socket;
        private final OutputStream out;
        private volatile boolean closed;
        int frames;

        FuzzConnection(int port, boolean hello) throws IOException {
            socket = new Socket("127.0.0.1", port);
            out = socket.getOutputStream();
            Thread reader = new Thread(this::drain, "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
            if (hello) {
                try {
                    send(codecBytes(new Hello.Request("fuzz", (short) 1)));
                } catch (Exception e) {
                    closed = true;
                }
            }
        }

        private static byte[] codecBytes(ApiRequest r) throws Exception {
            ByteBuffer b = new FrameCodec().encodeRequest(0, r);
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return bytes;
        }

        private void drain() {
            byte[] buf = new byte[8192];
            try (InputStream in = socket.getInputStream()) {
                while (in.read(buf) >= 0) {
                    // answers are not checked here; the broker's survival is
                }
            } catch (IOException e) {
                // reset by the broker or closed by us
            }
            closed = true;
        }

        void send(byte[] frame) {
            frames++;
            try {
                out.write(frame);
                out.flush();
            } catch (IOException e) {
                closed = true;
            }
        }

        boolean closed() {
            return closed;
        }

        void close() throws IOException {
            socket.close();
        }
    }
}
