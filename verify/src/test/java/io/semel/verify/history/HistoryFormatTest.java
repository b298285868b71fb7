package io.semel.verify.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.verify.testing.Fixtures;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryFormatTest {
    private static final EventValue.Header HEADER = new EventValue.Header(Guarantee.EXACTLY_ONCE,
            List.of(new ScheduledFault("kill", List.of("c1"))));

    private static String headerLine() throws IOException {
        StringWriter out = new StringWriter();
        new HistoryWriter(out, () -> 5, HEADER).close();
        return out.toString();
    }

    private static String sendInvoke(long i, String proc, String id) {
        return "{\"i\":" + i + ",\"tNs\":" + (i * 10) + ",\"proc\":\"" + proc
                + "\",\"type\":\"invoke\",\"f\":\"send\",\"value\":{\"id\":\"" + id + "\",\"key\":\"a\",\"amt\":3}}\n";
    }

    private static String sendInfo(long i, String proc, String id) {
        return "{\"i\":" + i + ",\"tNs\":" + (i * 10) + ",\"proc\":\"" + proc
                + "\",\"type\":\"info\",\"f\":\"send\",\"value\":{\"id\":\"" + id
                + "\",\"key\":\"a\",\"amt\":3,\"error\":\"timeout\"}}\n";
    }

    private static HistoryFormatException readError(String text) {
        try {
            HistoryReader.readAll(new StringReader(text));
        } catch (HistoryFormatException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a HistoryFormatException");
    }

    @Test
    void writerAssignsIAndTimeAndReaderReturnsTheSameEvents() throws IOException {
        StringWriter out = new StringWriter();
        long[] now = {100};
        List<HistoryEvent> written = new ArrayList<>();
        try (HistoryWriter w = new HistoryWriter(out, () -> now[0] += 7, HEADER)) {
            EventValue.Send s = new EventValue.Send("p1-1", "a", 4);
            written.add(w.invoke("p1", s));
            written.add(w.ok("p1", s.confirmed(2, 41)));
            EventValue.Apply a = new EventValue.Apply("c1", List.of("p1-1"), Map.of(2, 42L));
            written.add(w.invoke("c", a));
            written.add(w.info("c", a, "connection reset"));
            EventValue.Deliver d = new EventValue.Deliver("c1", 3, List.of(new Delivery("p1-1", 2, 41, 2)));
            written.add(w.invoke("d", new EventValue.Deliver("c1", 3, List.of())));
            written.add(w.ok("d", d));
            EventValue.Nemesis n = new EventValue.Nemesis("kill", List.of("c1"), NemesisPhase.START);
            written.add(w.invoke("nemesis", n));
            written.add(w.ok("nemesis", n));
            EventValue.ReadState rs = new EventValue.ReadState(
                    Map.of("a", new AccountState(4, List.of("p1-1"))), Map.of(2, 42L));
            written.add(w.invoke("r", EventValue.ReadState.empty()));
            written.add(w.ok("r", rs));
            written.add(w.invoke("l", new EventValue.DrainLog(List.of())));
            written.add(w.fail("l", new EventValue.DrainLog(List.of()), "broker down"));
        }
        assertThat(written).extracting(HistoryEvent::i).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L,
                12L);
        assertThat(written.get(0).tNs()).isEqualTo(114);
        assertThat(out.toString().lines()).hasSize(13);
        History h = HistoryReader.readAll(new StringReader(out.toString()));
        assertThat(h.header()).isEqualTo(HEADER);
        assertThat(h.events()).isEqualTo(written);
    }

    @Test
    void optionalFieldsRoundTripAndOldLinesWithoutThemReadAsBefore() throws IOException {
        StringWriter out = new StringWriter();
        EventValue.Header header = HEADER.withRun(42, 7);
        List<HistoryEvent> written = new ArrayList<>();
        try (HistoryWriter w = new HistoryWriter(out, new AtomicLong()::incrementAndGet, header)) {
            written.add(w.invoke("d", new EventValue.Deliver("c1", 0, List.of())));
            written.add(w.ok("d", new EventValue.Deliver("c1", 9, List.of(new Delivery("m1", 1, 5, 2, 8)))));
            written.add(w.invoke("r", EventValue.ReadState.emptyDuring()));
            written.add(w.ok("r", EventValue.ReadState.during(Map.of("a", new AccountState(1, List.of("m1"))),
                    Map.of(1, 6L))));
        }
        String text = out.toString();
        assertThat(text.lines().toList().get(0)).contains("\"seed\":42").contains("\"minConfirmed\":7");
        assertThat(text).contains("\"leaseEpoch\":8").contains("\"final\":false");
        History h = HistoryReader.readAll(new StringReader(text));
        assertThat(h.header()).isEqualTo(header);
        assertThat(h.events()).isEqualTo(written);
        assertThat(((EventValue.ReadState) h.events().get(3).value()).isFinal()).isFalse();

        // A history written before these fields: no seed/minConfirmed, no leaseEpoch, a final read.
        String old = headerLine()
                + "{\"i\":1,\"tNs\":10,\"proc\":\"d\",\"type\":\"invoke\",\"f\":\"deliver\",\"value\":{\"consumer\":\"c1\",\"epoch\":0,\"messages\":[]}}\n"
                + "{\"i\":2,\"tNs\":20,\"proc\":\"d\",\"type\":\"ok\",\"f\":\"deliver\",\"value\":{\"consumer\":\"c1\",\"epoch\":3,\"messages\":[{\"id\":\"m1\",\"partition\":0,\"offset\":1,\"deliveryCount\":1}]}}\n"
                + "{\"i\":3,\"tNs\":30,\"proc\":\"r\",\"type\":\"invoke\",\"f\":\"read-state\",\"value\":{}}\n"
                + "{\"i\":4,\"tNs\":40,\"proc\":\"r\",\"type\":\"ok\",\"f\":\"read-state\",\"value\":{\"accounts\":{},\"positions\":{}}}\n";
        History oldH = HistoryReader.readAll(new StringReader(old));
        assertThat(oldH.header().seed()).isNull();
        assertThat(oldH.header().minConfirmed()).isNull();
        Delivery d = ((EventValue.Deliver) oldH.events().get(1).value()).messages().get(0);
        assertThat(d.leaseEpoch()).isEqualTo(EventValue.UNASSIGNED);
        assertThat(((EventValue.ReadState) oldH.events().get(3).value()).isFinal()).isTrue();
    }

    @Test
    void fileRoundTripOfTheFixtureRun(@TempDir Path dir) throws IOException {
        History h = Fixtures.cleanExactlyOnce().build();
        Path file = dir.resolve("history.jsonl");
        try (HistoryWriter w = HistoryWriter.create(file, new AtomicLong()::incrementAndGet, h.header())) {
            for (HistoryEvent e : h.events()) {
                w.append(e.proc(), e.type(), e.value(), e.error());
            }
        }
        History back = HistoryReader.readAll(file);
        assertThat(back.events()).extracting(HistoryEvent::value).isEqualTo(
                h.events().stream().map(HistoryEvent::value).toList());
        try (HistoryReader r = HistoryReader.open(file)) {
            assertThat(r.events().count()).isEqualTo(h.events().size());
        }
        assertThat(Files.readAllLines(file).get(1)).startsWith("{\"i\":1,\"tNs\":2,\"proc\":\"w0\",\"type\":\"invoke\"");
    }

    @Test
    void processIsRetiredAfterInfoAndTheWriterRefusesItsNextEvent() throws IOException {
        StringWriter out = new StringWriter();
        try (HistoryWriter w = new HistoryWriter(out, new AtomicLong()::incrementAndGet, HEADER)) {
            EventValue.Send s = new EventValue.Send("m1", "a", 1);
            w.invoke("p1", s);
            w.info("p1", s, "timeout");
            String before = out.toString();
            assertThatThrownBy(() -> w.invoke("p1", new EventValue.Send("m2", "a", 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("process p1 was retired");
            assertThat(out.toString()).isEqualTo(before);
            w.invoke("p2", new EventValue.Send("m2", "a", 1));
        }
    }

    @Test
    void readerRejectsAnEventOnARetiredProcessWithItsLineNumber() throws IOException {
        String text = headerLine() + sendInvoke(1, "p1", "m1") + sendInfo(2, "p1", "m1") + sendInvoke(3, "p1", "m2");
        HistoryFormatException e = readError(text);
        assertThat(e.lineNumber()).isEqualTo(4);
        assertThat(e).hasMessageStartingWith("history line 4: process p1 was retired");
    }

    @Test
    void malformedJsonIsATypedErrorWithItsLineNumber() throws IOException {
        String text = headerLine() + sendInvoke(1, "p1", "m1") + "{\"i\":2,\"tNs\":20,\"proc\n";
        HistoryFormatException e = readError(text);
        assertThat(e.lineNumber()).isEqualTo(3);
        assertThat(e).hasMessageContaining("not JSON");
    }

    @Test
    void missingOrMistypedFieldsNameTheFieldAndLine() throws IOException {
        String noAmt = "{\"i\":1,\"tNs\":1,\"proc\":\"p\",\"type\":\"invoke\",\"f\":\"send\",\"value\":{\"id\":\"m\",\"key\":\"a\"}}\n";
        assertThat(readError(headerLine() + noAmt)).hasMessage("history line 2: field 'amt' must be an integer, got null");
        String badType = noAmt.replace("\"invoke\"", "\"maybe\"").replace("\"key\":\"a\"", "\"key\":\"a\",\"amt\":1");
        assertThat(readError(headerLine() + badType)).hasMessageContaining("unknown op type 'maybe'");
        String okWithoutOffset = noAmt.replace("\"invoke\"", "\"ok\"").replace("\"key\":\"a\"", "\"key\":\"a\",\"amt\":1");
        assertThat(readError(headerLine() + sendInvoke(1, "p", "m").replace("\"i\":1", "\"i\":1")
                + okWithoutOffset.replace("\"i\":1,\"tNs\":1", "\"i\":2,\"tNs\":20")))
                .hasMessageContaining("line 3").hasMessageContaining("'partition'");
    }

    @Test
    void completionWithoutInvokeDuplicateSendIdAndIOrderAreRejected() throws IOException {
        assertThat(readError(headerLine() + sendInfo(1, "p1", "m1")))
                .hasMessageContaining("line 2").hasMessageContaining("no open invoke");
        assertThat(readError(headerLine() + sendInvoke(1, "p1", "m1") + sendInfo(2, "p1", "m1")
                + sendInvoke(3, "p2", "m1")))
                .hasMessageContaining("line 4").hasMessageContaining("send id m1 is invoked twice");
        assertThat(readError(headerLine() + sendInvoke(2, "p1", "m1") + sendInvoke(2, "p2", "m2")))
                .hasMessageContaining("line 3").hasMessageContaining("does not increase");
    }

    @Test
    void anEventLaterThanTheSpanLimitAfterTheHeaderIsRejected() throws IOException {
        // semel check builds a confirmed-per-second series over the history's span: an ok send
        // 10^18 ns (31 years) after the first send asked for a billion buckets (OutOfMemoryError,
        // HistoryReaderFuzzTestInputs/.../regression-send-confirmed-31-years-later).
        String invoke = sendInvoke(1, "p1", "m1");
        String atLimit = invoke.replace("\"tNs\":10,", "\"tNs\":" + (5 + HistoryReader.SPAN_NS_MAX) + ",");
        assertThat(HistoryReader.readAll(new StringReader(headerLine() + atLimit)).events()).hasSize(1);
        String beyond = invoke.replace("\"tNs\":10,", "\"tNs\":" + (6 + HistoryReader.SPAN_NS_MAX) + ",");
        assertThat(readError(headerLine() + beyond)).hasMessageContaining("line 2")
                .hasMessageContaining("more than SPAN_NS_MAX " + HistoryReader.SPAN_NS_MAX + " ns after the header");
        // Far enough that tNs minus the header's overflows a long: still a typed error.
        String header = headerLine().replace("\"tNs\":5,", "\"tNs\":" + Long.MIN_VALUE + ",");
        assertThat(readError(header + invoke.replace("\"tNs\":10,", "\"tNs\":" + Long.MAX_VALUE + ",")))
                .hasMessageContaining("more than SPAN_NS_MAX");
    }

    @Test
    void emptyFileAndMissingHeaderAreRejectedAtLineOne() {
        assertThat(readError("").lineNumber()).isEqualTo(1);
        assertThat(readError(sendInvoke(0, "p1", "m1"))).hasMessageContaining("first line must be the header");
    }

    @Test
    void writerRefusesATimeSourceGoingBackwards() throws IOException {
        long[] times = {10, 20, 15};
        int[] next = {0};
        try (HistoryWriter w = new HistoryWriter(new StringWriter(), () -> times[next[0]++], HEADER)) {
            w.invoke("p1", new EventValue.Send("m1", "a", 1));
            assertThatThrownBy(() -> w.invoke("p2", new EventValue.Send("m2", "a", 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("went backwards");
        }
    }

    @Test
    void concurrentWritersProduceADenseReadableHistory() throws Exception {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        int threads = 8;
        int sendsPerThread = 200;
        try (HistoryWriter w = new HistoryWriter(out, clock::incrementAndGet, HEADER)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String proc = "p" + t;
                    done.add(pool.submit(() -> {
                        for (int k = 0; k < sendsPerThread; k++) {
                            EventValue.Send s = new EventValue.Send(proc + "-" + k, "a", 1);
                            w.invoke(proc, s);
                            w.ok(proc, s.confirmed(0, k));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        History h = HistoryReader.readAll(new StringReader(out.toString()));
        assertThat(h.events()).hasSize(threads * sendsPerThread * 2);
        for (int k = 0; k < h.events().size(); k++) {
            assertThat(h.events().get(k).i()).isEqualTo(k + 1);
        }
    }
}
