package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the frame splitter {@link FrameCodec#next} on an arbitrary byte
 * stream, with each frame it cuts passed on to the request and response decoders as a connection
 * would. Only {@link ProtocolException} may come out; a framing error asks to close the
 * connection; a frame's size is exactly what was consumed; an incomplete frame consumes nothing.
 *
 * <p>Input: byte 0 sets maxFrameBytes ({@code 8 + 16 * byte}), so the fuzzer meets the size limit;
 * bytes 1.. are the stream. Regression mode replays {@code FrameCodecFuzzTestInputs/}; see
 * docs/fuzzing.md.
 */
class FrameCodecFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void streamSplitsIntoFramesOrOneClosingError(byte[] input) {
        if (input.length == 0) {
            return;
        }
        FrameCodec codec = new FrameCodec(FrameCodec.HEADER_BYTES + 16 * (input[0] & 0xFF));
        ByteBuffer stream = ByteBuffer.wrap(input, 1, input.length - 1).slice();
        while (true) {
            int before = stream.position();
            Optional<Frame> next;
            try {
                next = codec.next(stream);
            } catch (ProtocolException e) {
                assertThat(e.closeConnection()).as("a framing error closes").isTrue();
                assertThat(stream.position()).isEqualTo(before);
                return;
            }
            if (next.isEmpty()) {
                assertThat(stream.position()).as("an incomplete frame consumes nothing").isEqualTo(before);
                return;
            }
            Frame frame = next.get();
            assertThat(stream.position() - before).isEqualTo(frame.sizeInBytes());
            assertThat(frame.sizeInBytes() - FrameCodec.LENGTH_FIELD_BYTES).isLessThanOrEqualTo(codec.maxFrameBytes());
            decodeBothWays(codec, frame);
        }
    }

    private static void decodeBothWays(FrameCodec codec, Frame frame) {
        try {
            codec.decodeRequest(frame);
        } catch (ProtocolException e) {
            assertThat(e.requestId()).isEqualTo(frame.requestId());
        }
        try {
            codec.decodeResponse(frame);
        } catch (ProtocolException e) {
            assertThat(e.requestId()).isEqualTo(frame.requestId());
        }
    }
}
