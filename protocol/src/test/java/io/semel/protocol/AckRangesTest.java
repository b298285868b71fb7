package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ACK v2: items and results travel as ranges; v1 (per item) is still read and answered in v1. */
class AckRangesTest {
    private final FrameCodec codec = new FrameCodec(Protocol.MAX_FRAME_BYTES_DEFAULT);

    private static List<Ack.Item> inOrder(int partition, long epoch, long from, int count) {
        List<Ack.Item> items = new ArrayList<>();
        for (long o = from; o < from + count; o++) {
            items.add(new Ack.Item(partition, epoch, o));
        }
        return items;
    }

    private ApiRequest roundTrip(ApiRequest request) throws ProtocolException {
        ByteBuffer framed = codec.encodeRequest(7, request);
        return codec.decodeRequest(codec.next(framed).orElseThrow());
    }

    private ApiResponse roundTrip(ApiResponse response) throws ProtocolException {
        ByteBuffer framed = codec.encodeResponse(7, response);
        return codec.decodeResponse(codec.next(framed).orElseThrow());
    }

    private static int bodyBytes(ApiRequest request) {
        WireWriter w = new WireWriter();
        request.encode(w);
        return w.size();
    }

    @Test
    void aBatchAckedInOrderIsOneRangeOnTheWire() throws ProtocolException {
        Ack.Request request = new Ack.Request("g", "m-1", inOrder(3, 5, 1_000, 500));
        int strings = 2 + 1 + 2 + 3;
        assertThat(bodyBytes(request)).as("group, member, count, one range").isEqualTo(strings + 4 + 28);
        assertThat(roundTrip(request)).isEqualTo(request);

        List<Ack.Result> ok = new ArrayList<>();
        request.items().forEach(i -> ok.add(new Ack.Result(i.partition(), i.offset(), ErrorCode.NONE)));
        Ack.Response response = new Ack.Response(ErrorCode.NONE, null, ok);
        WireWriter w = new WireWriter();
        response.encode(w);
        assertThat(w.size()).as("error, null message, count, one result range").isEqualTo(2 + 2 + 4 + 22);
        assertThat(roundTrip(response)).isEqualTo(response);
    }

    @Test
    void rangesBreakAtPartitionEpochGapAndErrorChanges() throws ProtocolException {
        List<Ack.Item> items = new ArrayList<>(inOrder(0, 1, 0, 3));
        items.addAll(inOrder(0, 1, 4, 2)); // gap
        items.addAll(inOrder(0, 2, 6, 2)); // new epoch
        items.addAll(inOrder(1, 2, 8, 1)); // other partition
        Ack.Request request = new Ack.Request("g", "m", items);
        assertThat(bodyBytes(request)).isEqualTo(3 + 3 + 4 + 4 * 28);
        assertThat(roundTrip(request)).isEqualTo(request);

        List<Ack.Result> results = List.of(new Ack.Result(0, 0, ErrorCode.NONE), new Ack.Result(0, 1, ErrorCode.NONE),
                new Ack.Result(0, 2, ErrorCode.STALE_LEASE), new Ack.Result(0, 3, ErrorCode.NONE));
        Ack.Response response = new Ack.Response(ErrorCode.NONE, null, results);
        assertThat(roundTrip(response)).isEqualTo(response);
    }

    @Test
    void version1IsStillReadAndAnsweredInVersion1() throws ProtocolException {
        Ack.Request v1 = new Ack.Request("g", "m", inOrder(0, 1, 0, 3), Ack.VERSION_ITEMS);
        ByteBuffer framed = codec.encodeRequest(9, v1);
        assertThat(framed.getShort(6)).as("frame apiVersion").isEqualTo((short) 1);
        assertThat(bodyBytes(v1)).isEqualTo(3 + 3 + 4 + 3 * 20);
        Ack.Request decoded = (Ack.Request) codec.decodeRequest(codec.next(framed).orElseThrow());
        assertThat(decoded.version()).isEqualTo(Ack.VERSION_ITEMS);
        assertThat(decoded.items()).isEqualTo(v1.items());

        Ack.Response answer = new Ack.Response(ErrorCode.NONE, null, List.of(new Ack.Result(0, 0, ErrorCode.NONE)))
                .inVersion(decoded.version());
        ByteBuffer framedAnswer = codec.encodeResponse(9, answer);
        assertThat(framedAnswer.getShort(6)).isEqualTo((short) 1);
        assertThat(roundTrip(answer)).isEqualTo(answer);
    }

    @Test
    void rangesThatExpandBeyondTheListLimitAreInvalid() {
        WireWriter w = new WireWriter().writeString("g").writeString("m").writeCount(2);
        w.writeInt32(0).writeInt64(1).writeInt64(0).writeInt64(Protocol.MAX_LIST_ITEMS - 1);
        w.writeInt32(0).writeInt64(1).writeInt64(Protocol.MAX_LIST_ITEMS).writeInt64(Protocol.MAX_LIST_ITEMS);
        assertThatThrownBy(() -> Ack.Request.decode(new WireReader(w.toByteBuffer()), Ack.VERSION_RANGES))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("ranges cover more than");

        WireWriter backwards = new WireWriter().writeString("g").writeString("m").writeCount(1);
        backwards.writeInt32(0).writeInt64(1).writeInt64(10).writeInt64(9);
        assertThatThrownBy(() -> Ack.Request.decode(new WireReader(backwards.toByteBuffer()), Ack.VERSION_RANGES))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("lastOffset");
    }

    /** One range over the whole offset space: its count overflowed and passed the limit, then expanded until OOM. */
    @Test
    void aRangeOverTheWholeOffsetSpaceIsRefusedNotExpanded() {
        WireWriter w = new WireWriter();
        w.writeString("g").writeString("m-1").writeCount(1);
        w.writeInt32(0).writeInt64(1).writeInt64(0).writeInt64(Long.MAX_VALUE);
        Frame frame = new Frame(ApiKey.ACK.id(), ApiKey.ACK.latestVersion(), 7, w.toByteBuffer());
        assertThatThrownBy(() -> codec.decodeRequest(frame)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ranges cover more than");
    }

    @Test
    void aResultRangeWhoseSpanOverflowsIsRefused() {
        WireWriter w = new WireWriter();
        w.writeErrorCode(ErrorCode.NONE).writeNullableString(null).writeCount(1);
        w.writeInt32(0).writeInt64(-1).writeInt64(Long.MAX_VALUE).writeErrorCode(ErrorCode.NONE);
        Frame frame = new Frame(ApiKey.ACK.id(), ApiKey.ACK.latestVersion(), 7, w.toByteBuffer());
        assertThatThrownBy(() -> codec.decodeResponse(frame)).isInstanceOf(ProtocolException.class);
    }
}
