package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.internal.WireWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * POLL v2: acks ride on the poll as ACK v2 ranges, their results on its answer; v3 numbers them and
 * reports their durability apart; v1 is still read and answered in v1.
 */
class PollWithAcksTest {
    private final FrameCodec codec = new FrameCodec(Protocol.MAX_FRAME_BYTES_DEFAULT);

    private static List<Ack.Item> inOrder(int partition, long epoch, long from, int count) {
        List<Ack.Item> items = new ArrayList<>();
        for (long o = from; o < from + count; o++) {
            items.add(new Ack.Item(partition, epoch, o));
        }
        return items;
    }

    private static int bodyBytes(ApiRequest request) {
        WireWriter w = new WireWriter();
        request.encode(w);
        return w.size();
    }

    private Frame framed(ApiRequest request) throws ProtocolException {
        return codec.next(codec.encodeRequest(3, request)).orElseThrow();
    }

    @Test
    void aBatchAckedInOrderRidesOnThePollAsOneRange() throws ProtocolException {
        Poll.Request request = new Poll.Request("g", "m-1", 500, 100, inOrder(2, 7, 4_000, 500));
        assertThat(request.apiVersion()).isEqualTo(Poll.VERSION_WITH_ACKS);
        int fixed = (2 + 1) + (2 + 3) + 4 + 4;
        assertThat(bodyBytes(request)).as("group, member, max, wait, count, one range").isEqualTo(fixed + 4 + 28);
        Frame frame = framed(request);
        assertThat(frame.apiVersion()).isEqualTo((short) 2);
        assertThat(codec.decodeRequest(frame)).isEqualTo(request);

        List<Ack.Result> results = new ArrayList<>();
        request.acks().forEach(i -> results.add(new Ack.Result(i.partition(), i.offset(), ErrorCode.NONE)));
        results.set(10, new Ack.Result(2, 4_010, ErrorCode.STALE_LEASE));
        Delivery d = new Delivery("t", 2, 4_500, 1, 7, 1_700_000_000_000L, null, new byte[] {1, 2}, List.of());
        Poll.Response response = Poll.Response.of(ErrorCode.NONE, null, List.of(d), results, Poll.VERSION_WITH_ACKS);
        ByteBuffer answer = codec.encodeResponse(3, response);
        assertThat(codec.decodeResponse(codec.next(answer).orElseThrow())).isEqualTo(response);
    }

    @Test
    void aPollWithoutAcksIsValidInVersion2() throws ProtocolException {
        Poll.Request request = new Poll.Request("g", "m", 1, 0);
        assertThat(request.acks()).isEmpty();
        assertThat(codec.decodeRequest(framed(request))).isEqualTo(request);
    }

    @Test
    void version1IsStillReadAndAnsweredInVersion1WithoutAckResults() throws ProtocolException {
        Poll.Request v1 = new Poll.Request("g", "m", 10, 5, List.of(), Poll.VERSION_PLAIN);
        assertThat(bodyBytes(v1)).isEqualTo(3 + 3 + 4 + 4);
        Frame frame = framed(v1);
        assertThat(frame.apiVersion()).isEqualTo((short) 1);
        Poll.Request decoded = (Poll.Request) codec.decodeRequest(frame);
        assertThat(decoded.version()).isEqualTo(Poll.VERSION_PLAIN);

        Poll.Response answer = Poll.Response.of(ErrorCode.NONE, null, List.of(),
                List.of(new Ack.Result(0, 1, ErrorCode.NONE)), Poll.VERSION_WITH_ACKS).inVersion(decoded.version());
        assertThat(answer.ackResults()).isEmpty();
        ByteBuffer framedAnswer = codec.encodeResponse(3, answer);
        assertThat(framedAnswer.getShort(6)).as("frame apiVersion").isEqualTo((short) 1);
        assertThat(codec.decodeResponse(codec.next(framedAnswer).orElseThrow())).isEqualTo(answer);
    }

    @Test
    void version1CannotCarryAcks() {
        assertThatThrownBy(() -> new Poll.Request("g", "m", 10, 5, inOrder(0, 1, 0, 1), Poll.VERSION_PLAIN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries no acks");
    }

    @Test
    void ackRangesOnAPollAreCheckedAsAnAcksAre() {
        WireWriter w = new WireWriter().writeString("g").writeString("m").writeInt32(10).writeInt32(0).writeCount(1);
        w.writeInt32(0).writeInt64(1).writeInt64(0).writeInt64(Long.MAX_VALUE);
        Frame frame = new Frame(ApiKey.POLL.id(), Poll.VERSION_WITH_ACKS, 7, w.toByteBuffer());
        assertThatThrownBy(() -> codec.decodeRequest(frame)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ranges cover more than");
    }

    /** A poll's answer is written into one buffer of the hinted size: not copied as a doubling buffer grows. */
    @Test
    void theAnswersSizeHintCoversItsBodyWithoutGrowing() {
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            deliveries.add(new Delivery("orders-topic", 3, 1_000 + i, 1 + i % 3, 9, 1_700_000_000_000L,
                    i % 2 == 0 ? null : new byte[] {1, 2, 3}, new byte[100 + i % 50],
                    i % 5 == 0 ? List.of(Header.of("trace-id", "abc-" + i)) : List.of()));
        }
        Poll.Response response = Poll.Response.of(ErrorCode.NONE, null, deliveries,
                List.of(new Ack.Result(3, 500, ErrorCode.NONE)), Poll.VERSION_WITH_ACKS);
        WireWriter w = WireWriter.reserving(16, response.encodedBytesHint());
        int room = w.capacity();
        response.encode(w);
        assertThat(w.capacity()).as("no regrowth").isEqualTo(room);
        assertThat(response.encodedBytesHint()).as("not far above the body").isLessThan(2 * (w.size() - 16));
    }

    @Test
    void version3NumbersTheAcksAndReportsHowFarTheyAreDurable() throws ProtocolException {
        Poll.Request request = new Poll.Request("g", "m-1", 500, 100, inOrder(2, 7, 4_000, 500), 41,
                Poll.VERSION_ACKS_AHEAD);
        Poll.Request v2 = new Poll.Request("g", "m-1", 500, 100, inOrder(2, 7, 4_000, 500));
        assertThat(bodyBytes(request)).as("v2 and an int64").isEqualTo(bodyBytes(v2) + 8);
        Frame frame = framed(request);
        assertThat(frame.apiVersion()).isEqualTo((short) 3);
        assertThat(codec.decodeRequest(frame)).isEqualTo(request);

        Poll.Response response = Poll.Response.of(ErrorCode.NONE, null, List.of(),
                List.of(new Ack.Result(2, 4_000, ErrorCode.NONE)), 40, Poll.VERSION_ACKS_AHEAD);
        assertThat(codec.decodeResponse(codec.next(codec.encodeResponse(3, response)).orElseThrow()))
                .isEqualTo(response);
        Poll.Response asV2 = response.inVersion(Poll.VERSION_WITH_ACKS);
        assertThat(asV2.acksDurableThrough()).isZero();
        assertThat(asV2.ackResults()).isEqualTo(response.ackResults());
        assertThat(codec.decodeResponse(codec.next(codec.encodeResponse(3, asV2)).orElseThrow())).isEqualTo(asV2);
    }

    @Test
    void anAckSequenceGoesWithAcksInVersion3Only() {
        assertThatThrownBy(() -> new Poll.Request("g", "m", 10, 0, inOrder(0, 1, 0, 1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ackSequence 0");
        assertThatThrownBy(() -> new Poll.Request("g", "m", 10, 0, List.of(), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ackSequence 5");
        assertThatThrownBy(() -> new Poll.Request("g", "m", 10, 0, inOrder(0, 1, 0, 1), 5, Poll.VERSION_WITH_ACKS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> Poll.Response.of(ErrorCode.NONE, null, List.of(), List.of(), -1,
                Poll.VERSION_ACKS_AHEAD)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVersion3FrameWithAcksButNoSequenceIsAProtocolError() {
        WireWriter w = new WireWriter().writeString("g").writeString("m").writeInt32(10).writeInt32(0).writeCount(1);
        w.writeInt32(0).writeInt64(1).writeInt64(0).writeInt64(3).writeInt64(0);
        Frame frame = new Frame(ApiKey.POLL.id(), Poll.VERSION_ACKS_AHEAD, 7, w.toByteBuffer());
        assertThatThrownBy(() -> codec.decodeRequest(frame)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ackSequence 0");
    }
}
