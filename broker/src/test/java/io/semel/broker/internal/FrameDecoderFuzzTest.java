package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the broker's Netty-side frame decoder: whatever bytes arrive, cut
 * into whatever TCP segments, {@link FrameDecoder} passes on exactly the frames {@link FrameCodec}
 * cuts from the whole stream, then at most one {@link ProtocolException} (the same one), then
 * nothing; the pipeline itself never throws.
 *
 * <p>Input: byte 0 sets maxFrameBytes ({@code 8 + 16 * byte}); byte 1 seeds the segment sizes
 * (1..16 bytes, or the whole rest at once when it is 0); bytes 2.. are the stream. Regression mode
 * replays {@code FrameDecoderFuzzTestInputs/}; see docs/fuzzing.md.
 */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void segmentedStreamDecodesLikeTheWholeStream(byte[] input) {
        if (input.length < 2) {
            return;
        }
        FrameCodec codec = new FrameCodec(FrameCodec.HEADER_BYTES + 16 * (input[0] & 0xFF));
        int segmentSeed = input[1] & 0xFF;
        byte[] stream = java.util.Arrays.copyOfRange(input, 2, input.length);

        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(codec));
        int at = 0;
        int step = 0;
        while (at < stream.length) {
            int size = segmentSeed == 0 ? stream.length : 1 + (segmentSeed * 31 + step++ * 7) % 16;
            int end = Math.min(stream.length, at + size);
            channel.writeInbound(Unpooled.wrappedBuffer(stream, at, end - at));
            at = end;
        }
        List<Object> got = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            got.add(o);
        }
        channel.finishAndReleaseAll();
        assertThat(describe(got)).isEqualTo(describe(reference(codec, stream)));
    }

    /** What {@link FrameCodec#next} makes of the whole stream at once. */
    private static List<Object> reference(FrameCodec codec, byte[] stream) {
        List<Object> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(stream);
        try {
            for (Optional<Frame> f = codec.next(buf); f.isPresent(); f = codec.next(buf)) {
                out.add(f.get());
            }
        } catch (ProtocolException e) {
            out.add(e);
        }
        return out;
    }

    private static List<String> describe(List<Object> messages) {
        List<String> out = new ArrayList<>();
        for (Object m : messages) {
            if (m instanceof ProtocolException e) {
                out.add("error " + e.errorCode() + " key " + e.apiKeyId() + " id " + e.requestId() + " close "
                        + e.closeConnection());
            } else if (m instanceof Frame f) {
                byte[] body = new byte[f.body().remaining()];
                f.body().duplicate().get(body);
                out.add("frame " + f.apiKeyId() + "/" + f.apiVersion() + " id " + f.requestId() + " body "
                        + java.util.HexFormat.of().formatHex(body));
            } else {
                out.add("unexpected " + m.getClass().getName());
            }
        }
        return out;
    }
}
