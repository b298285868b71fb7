package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.internal.WireWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * POLL v4: deliveries travel in runs whose records keep their stored layout; v1 to v3 still carry them
 * one by one, and a response of any version holds the same deliveries.
 */
class PollRunsTest {
    private final FrameCodec codec = new FrameCodec(Protocol.MAX_FRAME_BYTES_DEFAULT);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** 500 deliveries: four runs of new ones from partition 0, then redeliveries of partition 1. */
    private static List<Delivery> deliveries() {
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long ts = 1_700_000_000_000L + i / 100; // a new batch (timestamp) every 100 records
            out.add(new Delivery("orders", 0, 1_000 + i, 1, 3, ts, i % 7 == 0 ? null : utf8("k" + i),
                    new byte[100], i % 5 == 0 ? List.of(Header.of("trace-é", "t" + i)) : List.of()));
        }
        for (int i = 0; i < 100; i++) {
            out.add(new Delivery("orders", 1, 50 + 2 * i, 2 + i % 2, 8, 5L, utf8("r" + i), null, List.of()));
        }
        return out;
    }

    private Poll.Response roundTrip(Poll.Response r) throws ProtocolException {
        return (Poll.Response) codec.decodeResponse(codec.next(codec.encodeResponse(9, r)).orElseThrow());
    }

    private static int bodyBytes(Poll.Response r) {
        WireWriter w = new WireWriter();
        r.encode(w);
        return w.size();
    }

    @Test
    void consecutiveDeliveriesOfOneBatchTravelAsOneRunAndComeBackTheSame() throws ProtocolException {
        List<Delivery> deliveries = deliveries();
        Poll.Response r = Poll.Response.of(ErrorCode.NONE, null, deliveries,
                List.of(new Ack.Result(0, 999, ErrorCode.NONE)), 17, Poll.VERSION_RUNS);
        // 4 batches of partition 0; partition 1's offsets are not consecutive: a run each
        assertThat(r.runs()).hasSize(4 + 100);
        assertThat(r.runs().get(0).records().count()).isEqualTo(100);
        assertThat(r.runs().get(0).lastOffset()).isEqualTo(1_099);
        assertThat(r.deliveryCount()).isEqualTo(500);

        Poll.Response back = roundTrip(r);
        assertThat(back).isEqualTo(r);
        assertThat(back.deliveries()).isEqualTo(deliveries);
        assertThat(back.acksDurableThrough()).isEqualTo(17);
    }

    @Test
    void olderVersionsCarryTheSameDeliveriesOneByOneInMoreBytes() throws ProtocolException {
        Poll.Response r = Poll.Response.of(ErrorCode.NONE, null, deliveries(), List.of(), 4, Poll.VERSION_RUNS);
        for (short v = Poll.VERSION_PLAIN; v < Poll.VERSION_RUNS; v++) {
            Poll.Response old = r.inVersion(v);
            Poll.Response back = roundTrip(old);
            assertThat(back.version()).isEqualTo(v);
            assertThat(back.deliveries()).as("v%d", v).isEqualTo(r.deliveries());
            assertThat(bodyBytes(old)).as("v%d", v).isGreaterThan(bodyBytes(r));
        }
        // The 400 new deliveries: topic, partition, offset, count, lease and timestamp (40 bytes) said
        // once per run (48 bytes with the record count and size); the stored layout spends 2 bytes more
        // on each of the 80 header keys' lengths.
        Poll.Response firstFour = new Poll.Response(ErrorCode.NONE, null, r.runs().subList(0, 4), List.of(), 0,
                Poll.VERSION_RUNS);
        int saved = bodyBytes(firstFour.inVersion(Poll.VERSION_ACKS_AHEAD)) - bodyBytes(firstFour);
        assertThat(saved).isEqualTo(400 * (2 + 6 + 4 + 8 + 4 + 8 + 8) - 4 * 48 - 80 * 2);
    }

    @Test
    void theAnswersSizeHintCoversItsBodyInEveryVersion() {
        Poll.Response r = Poll.Response.of(ErrorCode.NONE, null, deliveries(), List.of(), 0, Poll.VERSION_RUNS);
        for (short v = Poll.VERSION_PLAIN; v <= Poll.VERSION_RUNS; v++) {
            Poll.Response in = r.inVersion(v);
            WireWriter w = WireWriter.reserving(16, in.encodedBytesHint());
            int room = w.capacity();
            in.encode(w);
            assertThat(w.capacity()).as("v%d: no regrowth", v).isEqualTo(room);
            assertThat(in.encodedBytesHint()).as("v%d", v).isLessThan(2 * (w.size() - 16));
        }
    }

    @Test
    void slicesOfOneStoredBatchAdjoinAndJoinWithoutACopy() {
        List<LogRecord> records = List.of(LogRecord.of(utf8("a"), utf8("1")),
                new LogRecord(null, utf8("2"), List.of(Header.of("h", "x"))), LogRecord.of(utf8("c"), null));
        RecordBatch batch = RecordBatch.of(5L, records);
        RecordSlice[] slices = batch.records(0, records.size()).split();
        assertThat(slices).hasSize(3);
        assertThat(slices[0].adjoins(slices[1])).isTrue();
        assertThat(slices[1].adjoins(slices[0])).isFalse();
        assertThat(slices[0].adjoins(slices[2])).isFalse();
        RecordSlice all = slices[0].join(slices[1]).join(slices[2]);
        assertThat(all.records()).isEqualTo(records);
        assertThat(all).isEqualTo(RecordSlice.of(records)); // by content, not by array
        assertThat(all.sizeInBytes()).isEqualTo(batch.sizeInBytes() - RecordBatch.HEADER_BYTES);
        assertThatThrownBy(() -> slices[0].join(slices[2])).isInstanceOf(IllegalArgumentException.class);
        // a slice of another array holding the same bytes does not adjoin
        assertThat(slices[0].adjoins(RecordSlice.of(List.of(records.get(1))))).isFalse();
    }

    @Test
    void malformedRecordsInARunAreACorruptMessageNotAnotherException() {
        byte[] good = bytesOf(RecordSlice.of(List.of(LogRecord.of(utf8("k"), utf8("v")))));
        // one record claimed but two encoded; a value length past the end; a header key that is not UTF-8
        byte[] two = bytesOf(RecordSlice.of(List.of(LogRecord.of(null, null), LogRecord.of(null, null))));
        byte[] overrun = good.clone();
        ByteBuffer.wrap(overrun).putInt(5, 1_000);
        byte[] badKey = bytesOf(RecordSlice.of(List.of(new LogRecord(null, null, List.of(Header.of("ab", "v"))))));
        badKey[4 + 4 + 4 + 4] = (byte) 0xff;
        for (byte[] records : List.of(two, overrun, badKey)) {
            Frame frame = new Frame(ApiKey.POLL.id(), Poll.VERSION_RUNS, 3, runFrame(records, 1));
            assertThatThrownBy(() -> codec.decodeResponse(frame)).isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).errorCode()).isEqualTo(ErrorCode.CORRUPT_MESSAGE));
        }
        Frame fine = new Frame(ApiKey.POLL.id(), Poll.VERSION_RUNS, 3, runFrame(good, 1));
        assertThat(((Poll.Response) decodeQuietly(fine)).deliveries()).hasSize(1);
        // more record bytes claimed than the frame holds
        WireWriter w = runHeader(1).writeInt32(good.length + 100).writeRaw(good).writeCount(0).writeInt64(0);
        Frame shortFrame = new Frame(ApiKey.POLL.id(), Poll.VERSION_RUNS, 3, w.toByteBuffer());
        assertThatThrownBy(() -> codec.decodeResponse(shortFrame)).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    /** A body without an array behind it (a direct buffer) is copied, not viewed, and reads the same. */
    @Test
    void runsReadFromADirectBufferAreCopiesThatReadTheSame() throws ProtocolException {
        Poll.Response r = Poll.Response.of(ErrorCode.NONE, null, deliveries(), List.of(), 3, Poll.VERSION_RUNS);
        WireWriter w = new WireWriter();
        r.encode(w);
        ByteBuffer heap = w.toByteBuffer();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        Poll.Response back = Poll.Response.decode(new io.semel.protocol.internal.WireReader(direct), Poll.VERSION_RUNS);
        assertThat(back).isEqualTo(r);
        // The last record's key "r99" ends 20 bytes before the body does (value length, header count,
        // ack results count, acksDurableThrough follow it): the records were copied, so changing the
        // buffer there changes nothing that was read.
        direct.put(direct.limit() - 21, (byte) 'x');
        assertThat(back.deliveries()).isEqualTo(r.deliveries());
        List<Delivery> changed = Poll.Response.decode(new io.semel.protocol.internal.WireReader(direct),
                Poll.VERSION_RUNS).deliveries();
        assertThat(changed.get(changed.size() - 1).key()).asString().isEqualTo("r9x");
    }

    @Test
    void aRunsOffsetsMustAllBeNonNegativeLongs() {
        RecordSlice two = RecordSlice.of(List.of(LogRecord.of(null, null), LogRecord.of(null, null)));
        assertThatThrownBy(() -> new DeliveryRun("t", 0, 1, 1, 0, Long.MAX_VALUE - 1, two))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new DeliveryRun("t", 0, 1, 1, 0, Long.MAX_VALUE - 2, two).lastOffset()).isEqualTo(Long.MAX_VALUE - 1);
    }

    private ApiResponse decodeQuietly(Frame f) {
        try {
            return codec.decodeResponse(f);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytesOf(RecordSlice s) {
        ByteBuffer b = s.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static WireWriter runHeader(int count) {
        return new WireWriter().writeErrorCode(ErrorCode.NONE).writeNullableString(null).writeCount(1)
                .writeString("t").writeInt32(0).writeInt64(1).writeInt32(1).writeInt64(0).writeInt64(10)
                .writeInt32(count);
    }

    private static ByteBuffer runFrame(byte[] records, int count) {
        return runHeader(count).writeInt32(records.length).writeRaw(records).writeCount(0).writeInt64(0)
                .toByteBuffer();
    }
}
