package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Decoders are total over hostile input: bytes off the network yield frames and messages or a
 * {@link ProtocolException}, never another exception. jqwik prints the seed of a failing run.
 */
class ProtocolProperties {
    private final FrameCodec codec = new FrameCodec(4096);

    @Property(tries = 3000)
    void randomStreamsSplitIntoFramesOrProtocolException(@ForAll @Size(max = 200) byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            while (true) {
                int before = in.position();
                var frame = codec.next(in);
                if (frame.isEmpty()) {
                    assertThat(in.position()).isEqualTo(before);
                    return;
                }
                decodeBoth(frame.get());
            }
        } catch (ProtocolException e) {
            assertThat(e.closeConnection()).isTrue();
        }
    }

    @Property(tries = 5000)
    void randomBodiesDecodeOrFailWithProtocolException(@ForAll @IntRange(min = -1, max = 15) int apiKeyId,
            @ForAll @IntRange(min = 0, max = 2) int version, @ForAll @Size(max = 120) byte[] body) {
        decodeBoth(new Frame((short) apiKeyId, (short) version, 1, ByteBuffer.wrap(body)));
    }

    @Property(tries = 5000)
    void mutatedMessagesDecodeOrFailWithProtocolException(@ForAll("encodedSamples") byte[] frame,
            @ForAll("mutations") List<int[]> mutations) {
        for (int[] m : mutations) {
            int at = Math.floorMod(m[0], frame.length);
            if (m[2] == 0 || at > frame.length - 4) {
                frame[at] = (byte) m[1];
            } else {
                ByteBuffer.wrap(frame).putInt(at, m[1]);
            }
        }
        try {
            codec.next(ByteBuffer.wrap(frame)).ifPresent(ProtocolProperties::decodeBoth);
        } catch (ProtocolException e) {
            assertThat(e.errorCode()).isNotEqualTo(ErrorCode.NONE);
        }
    }

    /** Any frame is offered to both decoders: a client must survive a hostile broker too. */
    private static void decodeBoth(Frame frame) {
        FrameCodec codec = new FrameCodec(4096);
        try {
            ApiRequest request = codec.decodeRequest(frame);
            assertThat(request.apiKey().id()).isEqualTo(frame.apiKeyId());
        } catch (ProtocolException e) {
            assertThat(e.requestId()).isEqualTo(frame.requestId());
        }
        try {
            ApiResponse response = codec.decodeResponse(frame);
            assertThat(response.error()).isNotNull();
        } catch (ProtocolException e) {
            assertThat(e.requestId()).isEqualTo(frame.requestId());
        }
    }

    @Provide
    Arbitrary<byte[]> encodedSamples() {
        FrameCodec big = new FrameCodec();
        List<byte[]> frames = new java.util.ArrayList<>();
        try {
            for (ApiRequest r : Samples.requests().values()) {
                frames.add(toArray(big.encodeRequest(1, r)));
            }
            for (ApiResponse r : Samples.responses().values()) {
                frames.add(toArray(big.encodeResponse(1, r)));
            }
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
        return Arbitraries.of(frames).map(byte[]::clone);
    }

    /** Each mutation: (position, value, kind) with kind 0 = set one byte, 1 = overwrite an int. */
    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<Integer> values = Arbitraries.oneOf(Arbitraries.integers(),
                Arbitraries.of(-2, -1, 0, 1, 2, 255, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE));
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().greaterOrEqual(0), values,
                Arbitraries.integers().between(0, 1))
                .as((at, value, kind) -> new int[] {at, value, kind})
                .list().ofMinSize(1).ofMaxSize(3);
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
