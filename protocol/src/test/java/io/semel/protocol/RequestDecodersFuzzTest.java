package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of every API's body decoder through {@link FrameCodec}: for any body the
 * only exception is {@link ProtocolException}, and it never asks to close the connection (a body
 * is delimited by its frame, so the stream stays usable). A body that decodes is canonical:
 * encoding the decoded message gives back the same bytes, so one value has one encoding (ACK v2, whose
 * ranges are coalesced when written, keeps its value and a stable written form instead).
 *
 * <p>Input: byte 0 picks the API ({@link #apiFor}), bytes 1.. are the body. One target covers all
 * APIs so the fuzzer shares what it learns (strings, lists, batches) between them. Regression mode
 * replays {@code RequestDecodersFuzzTestInputs/}; see docs/fuzzing.md.
 */
class RequestDecodersFuzzTest {
    private static final ApiKey[] APIS = ApiKey.values();
    private static final FrameCodec CODEC = new FrameCodec();

    /** The API byte 0 selects: its value modulo the number of APIs, in {@link ApiKey} declaration order. */
    static ApiKey apiFor(byte selector) {
        return APIS[(selector & 0xFF) % APIS.length];
    }

    @FuzzTest(maxDuration = "20s")
    void requestDecodersAcceptOrThrowProtocolException(byte[] input) throws ProtocolException {
        if (input.length == 0) {
            return;
        }
        ApiKey api = apiFor(input[0]);
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        Frame frame = new Frame(api.id(), api.latestVersion(), 7, ByteBuffer.wrap(body));
        ApiRequest request;
        try {
            request = CODEC.decodeRequest(frame);
        } catch (ProtocolException e) {
            assertThat(e.closeConnection()).as("a bad %s body keeps the connection", api).isFalse();
            assertThat(e.requestId()).isEqualTo(7);
            return;
        }
        assertThat(request.apiKey()).isEqualTo(api);
        byte[] reencoded = bodyOf(CODEC.encodeRequest(7, request));
        if (api == ApiKey.ACK) {
            // ACK v2 ranges are coalesced when written: [0..0][1..1] and [0..1] are one value with two encodings.
            // The value must survive the round trip, and the written form must be stable.
            Frame again = new Frame(api.id(), api.latestVersion(), 7, ByteBuffer.wrap(reencoded));
            ApiRequest decodedAgain = CODEC.decodeRequest(again);
            assertThat(decodedAgain).as("%s value after re-encoding", api).isEqualTo(request);
            assertThat(bodyOf(CODEC.encodeRequest(7, decodedAgain))).as("%s written form", api).isEqualTo(reencoded);
        } else {
            assertThat(reencoded).as("%s re-encoded", api).isEqualTo(body);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void responseDecodersAcceptOrThrowProtocolException(byte[] input) throws ProtocolException {
        if (input.length == 0) {
            return;
        }
        ApiKey api = apiFor(input[0]);
        Frame frame = new Frame(api.id(), api.latestVersion(), 7,
                ByteBuffer.wrap(Arrays.copyOfRange(input, 1, input.length)));
        ApiResponse response;
        try {
            response = CODEC.decodeResponse(frame);
        } catch (ProtocolException e) {
            assertThat(e.requestId()).isEqualTo(7);
            return;
        }
        assertThat(response.apiKey()).isEqualTo(api);
        // What a client decoded it can pass on: the re-encoding decodes to the same bytes again.
        byte[] once = bodyOf(CODEC.encodeResponse(7, response));
        Frame again = new Frame(api.id(), api.latestVersion(), 7, ByteBuffer.wrap(once));
        assertThat(bodyOf(CODEC.encodeResponse(7, CODEC.decodeResponse(again)))).isEqualTo(once);
    }

    static byte[] bodyOf(ByteBuffer frame) {
        ByteBuffer b = frame.duplicate();
        b.position(b.position() + FrameCodec.LENGTH_FIELD_BYTES + FrameCodec.HEADER_BYTES);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
