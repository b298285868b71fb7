package io.semel.verify.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
    private static final long SEED = 42;
    private final List<ProxyEvent> events = new CopyOnWriteArrayList<>();
    private TestServer server;
    private FaultProxy proxy;

    @AfterEach
    void tearDown() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void startFramed(int responseBytes) throws IOException {
        server = TestServer.framed(responseBytes);
        proxy = FaultProxy.start("proxy-p1", server.address(), ProxyOptions.semelFrames(), SEED, events::add);
    }

    private void startEcho() throws IOException {
        server = TestServer.echo();
        proxy = FaultProxy.start("proxy-p1", server.address(), ProxyOptions.rawBytes(), SEED, events::add);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(proxy.address().getAddress(), proxy.port());
        s.setSoTimeout(3_000);
        return s;
    }

    private static void sendFrame(Socket s, String body) throws IOException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    private static String readFrame(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new String(body, StandardCharsets.UTF_8).replace("\0", "");
    }

    private static String echo(Socket s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(b.length), StandardCharsets.UTF_8);
    }

    /** Reads until the stream ends or is reset; returns how many bytes arrived first. */
    private static int readToEndOrReset(Socket s) {
        int n = 0;
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                n++;
            }
        } catch (IOException e) {
            assertThat(e).isNotInstanceOf(SocketTimeoutException.class);
        }
        return n;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private List<ProxyEvent> applied(FaultPolicy p) {
        return events.stream().filter(e -> e.kind() == ProxyEvent.Kind.APPLIED && e.policy() == p).toList();
    }

    @Test
    void noneForwardsEchoAndFramesBothWays() throws Exception {
        startEcho();
        try (Socket s = connect()) {
            assertThat(echo(s, "hello")).isEqualTo("hello");
            assertThat(echo(s, "again")).isEqualTo("again");
        }
        proxy.close();
        server.close();
        startFramed(0);
        try (Socket s = connect()) {
            sendFrame(s, "produce-1");
            assertThat(readFrame(s)).isEqualTo("produce-1");
        }
        assertThat(server.frames).hasSize(1);
        assertThat(events).isEmpty();
    }

    @Test
    void dropAfterRequestDeliversTheFrameButLosesTheReply() throws Exception {
        startFramed(64);
        try (Socket s = connect()) {
            sendFrame(s, "before");
            assertThat(readFrame(s)).isEqualTo("before");
            proxy.setPolicy(FaultPolicy.DROP_AFTER_REQUEST, FaultParams.DEFAULTS);
            sendFrame(s, "produce-7");
            assertThat(readToEndOrReset(s)).as("no reply byte reaches the client").isZero();
        }
        await(() -> server.frames.size() == 2, "the broker to receive the dropped request");
        assertThat(new String(server.frames.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("produce-7");
        assertThat(applied(FaultPolicy.DROP_AFTER_REQUEST)).hasSize(1);
        proxy.heal();
        try (Socket s = connect()) {
            sendFrame(s, "after-heal");
            assertThat(readFrame(s)).isEqualTo("after-heal");
        }
        assertThat(events).extracting(ProxyEvent::kind).containsSubsequence(
                ProxyEvent.Kind.ACTIVATED, ProxyEvent.Kind.APPLIED, ProxyEvent.Kind.HEALED);
    }

    @Test
    void dropAfterRequestInRawModeDropsAfterTheFirstChunk() throws Exception {
        startEcho();
        proxy.setPolicy(FaultPolicy.DROP_AFTER_REQUEST, FaultParams.DEFAULTS);
        try (Socket s = connect()) {
            s.getOutputStream().write("abc".getBytes(StandardCharsets.UTF_8));
            assertThat(readToEndOrReset(s)).isZero();
        }
        await(() -> server.echoedBytes.get() == 3, "the server to receive the request");
    }

    @Test
    void cutDuringResponseForwardsHalfAFrameThenCloses() throws Exception {
        startFramed(100);
        proxy.setPolicy(FaultPolicy.CUT_DURING_RESPONSE, FaultParams.DEFAULTS);
        try (Socket s = connect()) {
            sendFrame(s, "fetch");
            int got = readToEndOrReset(s);
            assertThat(got).as("half of a 104-byte frame").isEqualTo(52);
        }
        assertThat(server.frames).hasSize(1);
        assertThat(applied(FaultPolicy.CUT_DURING_RESPONSE)).singleElement()
                .extracting(ProxyEvent::detail).asString().contains("52 of 104");
    }

    @Test
    void cutDuringResponseHonoursAnExplicitByteCount() throws Exception {
        startFramed(100);
        proxy.setPolicy(FaultPolicy.CUT_DURING_RESPONSE, FaultParams.DEFAULTS.withCutAfterBytes(3));
        try (Socket s = connect()) {
            sendFrame(s, "fetch");
            assertThat(readToEndOrReset(s)).isEqualTo(3);
        }
    }

    @Test
    void stallHoldsTrafficBothWaysUntilHealed() throws Exception {
        startFramed(0);
        try (Socket s = connect()) {
            sendFrame(s, "warm-up");
            readFrame(s);
            proxy.setPolicy(FaultPolicy.STALL, FaultParams.DEFAULTS);
            s.setSoTimeout(300);
            sendFrame(s, "stalled");
            assertThatThrownBy(() -> readFrame(s)).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.frames).as("the request is held, not forwarded").hasSize(1);
            proxy.heal();
            s.setSoTimeout(3_000);
            assertThat(readFrame(s)).isEqualTo("stalled");
        }
    }

    @Test
    void stallWithADurationReleasesByItself() throws Exception {
        startEcho();
        proxy.setPolicy(FaultPolicy.STALL, FaultParams.DEFAULTS.withStall(Duration.ofMillis(300)));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertThat(echo(s, "late")).isEqualTo("late");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }

    @Test
    void resetClosesOpenConnectionsAbruptlyAndRefusesNewOnesUntilHealed() throws Exception {
        startEcho();
        try (Socket s = connect()) {
            assertThat(echo(s, "ok")).isEqualTo("ok");
            proxy.setPolicy(FaultPolicy.RESET, FaultParams.DEFAULTS);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    if (s.getInputStream().read() < 0) {
                        throw new EOFException("closed");
                    }
                }
            }).isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class);
        }
        await(() -> server.closedConnections.get() == 1, "the server side to be closed too");
        try (Socket s = connect()) {
            assertThat(readToEndOrReset(s)).isZero();
        }
        assertThat(applied(FaultPolicy.RESET)).hasSize(2);
        proxy.heal();
        try (Socket s = connect()) {
            assertThat(echo(s, "back")).isEqualTo("back");
        }
    }

    @Test
    void delayAddsLatencyInBothDirections() throws Exception {
        startEcho();
        proxy.setPolicy(FaultPolicy.DELAY, FaultParams.DEFAULTS.withDelay(Duration.ofMillis(100), Duration.ofMillis(20)));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertThat(echo(s, "slow")).isEqualTo("slow");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void replayStaleSendsTheFrameAgainOnANewConnectionAfterRepeatingTheHandshake() throws Exception {
        startFramed(0);
        proxy.setPolicy(FaultPolicy.REPLAY_STALE, FaultParams.DEFAULTS.withReplayDelay(Duration.ofMillis(200)));
        try (Socket s = connect()) {
            sendFrame(s, "hello-client-7");
            assertThat(readFrame(s)).isEqualTo("hello-client-7");
            sendFrame(s, "commit-epoch-3");
            assertThat(readFrame(s)).isEqualTo("commit-epoch-3");
            sendFrame(s, "commit-epoch-4");
            assertThat(readFrame(s)).isEqualTo("commit-epoch-4");
            await(() -> server.frames.size() == 5, "the replay to arrive");
            TestServer.Received hello = server.frames.get(0);
            TestServer.Received original = server.frames.get(1);
            TestServer.Received replayedHello = server.frames.get(3);
            TestServer.Received replay = server.frames.get(4);
            assertThat(replayedHello.body()).as("the handshake comes first").isEqualTo(hello.body());
            assertThat(replay.body()).as("then the first request after it").isEqualTo(original.body());
            assertThat(replay.connection()).isEqualTo(replayedHello.connection()).isNotEqualTo(original.connection());
            s.setSoTimeout(300);
            assertThatThrownBy(() -> readFrame(s)).as("the replay's response never reaches the client")
                    .isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(applied(FaultPolicy.REPLAY_STALE)).singleElement()
                .extracting(ProxyEvent::detail).asString().contains("replayed 18-byte request")
                .contains("after a 18-byte handshake");
    }

    @Test
    void aPolicyOnOneConnectionLeavesTheOthersAlone() throws Exception {
        startFramed(0);
        try (Socket a = connect(); Socket b = connect()) {
            sendFrame(a, "a1");
            readFrame(a);
            sendFrame(b, "b1");
            readFrame(b);
            List<Long> ids = proxy.connectionIds();
            assertThat(ids).hasSize(2);
            proxy.setPolicy(ids.get(0), FaultPolicy.DROP_AFTER_REQUEST, FaultParams.DEFAULTS);
            sendFrame(a, "a2");
            assertThat(readToEndOrReset(a)).isZero();
            sendFrame(b, "b2");
            assertThat(readFrame(b)).isEqualTo("b2");
            assertThat(proxy.policy()).isEqualTo(FaultPolicy.NONE);
        }
        assertThat(events).filteredOn(e -> e.kind() == ProxyEvent.Kind.ACTIVATED)
                .singleElement().extracting(ProxyEvent::connectionId).isNotEqualTo(ProxyEvent.ALL_CONNECTIONS);
    }

    @Test
    void connectionsAboveTheLimitAreRefused() throws Exception {
        server = TestServer.echo();
        proxy = FaultProxy.start("p", server.address(), ProxyOptions.rawBytes().withMaxConnections(1), SEED, events::add);
        try (Socket a = connect(); Socket b = connect()) {
            assertThat(echo(a, "x")).isEqualTo("x");
            assertThat(readToEndOrReset(b)).isZero();
        }
    }

    @Test
    void unknownConnectionIdIsRejectedWithTheOpenOnes() throws Exception {
        startEcho();
        assertThatThrownBy(() -> proxy.setPolicy(99, FaultPolicy.RESET, FaultParams.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99").hasMessageContaining("[]");
        assertThat(Arrays.stream(FaultPolicy.values()).map(FaultPolicy::wireName))
                .contains("drop-after-request", "replay-stale");
    }
}
