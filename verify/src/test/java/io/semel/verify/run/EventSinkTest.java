package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import io.semel.verify.history.OpType;
import io.semel.verify.history.internal.HistoryCodec;
import io.semel.verify.run.child.ChildChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The child → harness event merge: complete lines in arrival order, torn tails dropped, commands down. */
class EventSinkTest {
    private record Received(String child, HistoryEvent event) {
    }

    private static String line(String proc, OpType type, EventValue v) {
        return HistoryCodec.encode(new HistoryEvent(1, 0, proc, type, v, null)) + "\n";
    }

    @Test
    void completeLinesArriveInOrderAndATornLastLineIsDropped() throws Exception {
        List<Received> got = new CopyOnWriteArrayList<>();
        try (EventSink sink = EventSink.start((c, e) -> got.add(new Received(c, e)))) {
            EventValue.Ack ack = new EventValue.Ack("c1", List.of("p1-000001"));
            String first = line("c1.g1.0", OpType.INVOKE, ack);
            String second = line("c1.g1.0", OpType.OK, ack);
            try (Socket s = new Socket(sink.address().getAddress(), sink.address().getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("HELLO c1 1\n" + first).getBytes(StandardCharsets.UTF_8));
                // The second line arrives in two pieces, then a torn third one: as a SIGKILL mid-write leaves it.
                byte[] b = second.getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, 10);
                out.flush();
                Thread.sleep(50);
                out.write(b, 10, b.length - 10);
                out.write("{\"i\":1,\"tNs\":0,\"proc\":\"c1.g1.0\",\"ty".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            awaitLink(sink, 1);
            EventSink.Link link = sink.link("c1");
            assertThat(link.awaitClosed(Duration.ofSeconds(5))).isTrue();
            assertThat(got).extracting(Received::child).containsExactly("c1", "c1");
            assertThat(got).extracting(r -> r.event().type()).containsExactly(OpType.INVOKE, OpType.OK);
            assertThat(got.get(1).event().value()).isEqualTo(ack);
            assertThat(sink.tornLines()).isEqualTo(1);
            assertThat(sink.rejectedLines()).isZero();
        }
    }

    @Test
    void aTornTailIsExplainedOnlyWhenTheHarnessAnnouncedItKilledThatGeneration() throws Exception {
        try (EventSink sink = EventSink.start((c, e) -> { })) {
            sink.killing("c1", 1);
            sendAndClose(sink, "HELLO c1 1\n{\"i\":1,\"tN");
            sendAndClose(sink, "HELLO c2 1\n{\"i\":1,\"tN");
            sendAndClose(sink, "HELLO c1 2\n{\"i\":1,\"tN");
            sendAndClose(sink, "HELL");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (sink.tornLines() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(sink.tornLines()).isEqualTo(4);
            // c1 g1 was killed by the harness; c2 g1 and c1 g2 ended mid-line on their own; the last never said HELLO.
            assertThat(sink.tornUnexplained()).isEqualTo(3);
        }
    }

    private static void sendAndClose(EventSink sink, String bytes) throws Exception {
        try (Socket s = new Socket(sink.address().getAddress(), sink.address().getPort())) {
            s.getOutputStream().write(bytes.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLineThatDoesNotDecodeIsRejectedAndCountedNotFatal() throws Exception {
        List<Received> got = new CopyOnWriteArrayList<>();
        try (EventSink sink = EventSink.start((c, e) -> got.add(new Received(c, e)))) {
            EventValue.Ack ack = new EventValue.Ack("c1", List.of("x"));
            try (Socket s = new Socket(sink.address().getAddress(), sink.address().getPort())) {
                s.getOutputStream().write(("HELLO c1 2\nnot json\n" + line("c1.g2.0", OpType.INVOKE, ack))
                        .getBytes(StandardCharsets.UTF_8));
            }
            awaitLink(sink, 2);
            assertThat(sink.link("c1").awaitClosed(Duration.ofSeconds(5))).isTrue();
            assertThat(sink.rejectedLines()).isEqualTo(1);
            assertThat(got).hasSize(1);
        }
    }

    @Test
    void newestGenerationOwnsTheLinkAndReceivesCommands() throws Exception {
        try (EventSink sink = EventSink.start((c, e) -> { });
                Socket g1 = new Socket(sink.address().getAddress(), sink.address().getPort());
                Socket g2 = new Socket(sink.address().getAddress(), sink.address().getPort())) {
            g2.getOutputStream().write("HELLO c1 2\n".getBytes(StandardCharsets.UTF_8));
            awaitLink(sink, 2);
            g1.getOutputStream().write("HELLO c1 1\n".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(100);
            assertThat(sink.link("c1").generation()).isEqualTo(2);
            assertThat(sink.link("c1").send(ChildChannel.ARM)).isTrue();
            BufferedReader in = new BufferedReader(new InputStreamReader(g2.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo(ChildChannel.ARM);
        }
    }

    private static void awaitLink(EventSink sink, int generation) throws InterruptedException {
        for (int i = 0; i < 100 && (sink.link("c1") == null || sink.link("c1").generation() != generation); i++) {
            Thread.sleep(20);
        }
    }
}
