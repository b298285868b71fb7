package io.semel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void samplesCoverEveryApi() {
        assertThat(Samples.requests().keySet()).containsExactlyInAnyOrder(ApiKey.values());
        assertThat(Samples.responses().keySet()).containsExactlyInAnyOrder(ApiKey.values());
    }

    @Test
    void everyRequestRoundTripsThroughAFrame() throws Exception {
        int requestId = 1000;
        for (Map.Entry<ApiKey, ApiRequest> e : Samples.requests().entrySet()) {
            Frame frame = codec.next(codec.encodeRequest(++requestId, e.getValue())).orElseThrow();

            assertThat(frame.apiKeyId()).isEqualTo(e.getKey().id());
            assertThat(frame.apiVersion()).isEqualTo(e.getKey().latestVersion());
            assertThat(frame.requestId()).isEqualTo(requestId);
            assertThat(codec.decodeRequest(frame)).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void everyResponseRoundTripsAndEchoesTheRequestId() throws Exception {
        for (Map.Entry<ApiKey, ApiResponse> e : Samples.responses().entrySet()) {
            Frame frame = codec.next(codec.encodeResponse(-7, e.getValue())).orElseThrow();

            assertThat(frame.requestId()).isEqualTo(-7);
            assertThat(frame.apiKeyId()).isEqualTo(e.getKey().id());
            assertThat(codec.decodeResponse(frame)).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    /**
     * The broker encodes every answer into one reused array: each frame must be the same bytes as one
     * encoded on its own, whether it fit the array or grew past it, and must not depend on what the
     * array held before.
     */
    @Test
    void aResponseEncodedIntoAReusedArrayIsTheSameFrame() throws Exception {
        byte[] scratch = new byte[64];
        java.util.Arrays.fill(scratch, (byte) 0x5a);
        int grew = 0;
        for (Map.Entry<ApiKey, ApiResponse> e : Samples.responses().entrySet()) {
            ByteBuffer alone = codec.encodeResponse(5, e.getValue());
            ByteBuffer reused = codec.encodeResponse(5, e.getValue(), scratch);

            assertThat(reused).as("%s", e.getKey()).isEqualTo(alone);
            assertThat(reused.array() == scratch).as("%s written into the array given", e.getKey())
                    .isEqualTo(alone.remaining() <= scratch.length);
            if (reused.array() != scratch) {
                grew++;
                scratch = reused.array(); // as the broker keeps the array an answer grew into
            }
        }
        assertThat(grew).as("some sample outgrew the first array").isPositive();
    }

    @Test
    void aFrameReadIntoItsOwnArrayDecodesAsOneTakenFromAStream() throws Exception {
        for (Map.Entry<ApiKey, ApiResponse> e : Samples.responses().entrySet()) {
            ByteBuffer encoded = codec.encodeResponse(41, e.getValue());
            byte[] whole = new byte[encoded.remaining()];
            encoded.duplicate().get(whole);
            // Before its header is in, a frame has no size yet; after, its size whatever else has arrived.
            for (int have = 0; have <= whole.length; have++) {
                ByteBuffer prefix = ByteBuffer.wrap(whole, 0, have);
                int expected = have < FrameCodec.LENGTH_FIELD_BYTES + FrameCodec.HEADER_BYTES ? -1 : whole.length;
                assertThat(codec.frameBytes(prefix)).as("%s after %d bytes", e.getKey(), have).isEqualTo(expected);
                assertThat(prefix.position()).isZero();
            }
            Frame owned = codec.frameOf(whole);
            Frame streamed = codec.next(encoded).orElseThrow();
            assertThat(owned.apiKeyId()).isEqualTo(streamed.apiKeyId());
            assertThat(owned.requestId()).isEqualTo(41);
            assertThat(owned.body()).isEqualTo(streamed.body());
            assertThat(codec.decodeResponse(owned)).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void anArrayThatIsNotExactlyOneFrameIsAFramingError() throws Exception {
        ByteBuffer encoded = codec.encodeResponse(5, Samples.responses().get(ApiKey.POLL));
        byte[] whole = new byte[encoded.remaining()];
        encoded.get(whole);
        for (byte[] wrong : new byte[][] {java.util.Arrays.copyOf(whole, whole.length + 1),
                java.util.Arrays.copyOf(whole, whole.length - 1), new byte[3]}) {
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.frameOf(wrong));
            assertThat(e).as("%d bytes", wrong.length).isNotNull();
            assertThat(e.closeConnection()).isTrue();
        }
        FrameCodec small = new FrameCodec(whole.length - 5);
        ProtocolException tooLarge = catchThrowableOfType(ProtocolException.class, () -> small.frameBytes(ByteBuffer.wrap(whole)));
        assertThat(tooLarge.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    void fullErrorResponsesRoundTripToo() throws Exception {
        for (ApiKey key : ApiKey.values()) {
            ApiResponse error = Messages.errorResponse(key, ErrorCode.STORAGE_ERROR, "disk said EIO");
            assertThat(codec.decodeResponse(codec.next(codec.encodeResponse(1, error)).orElseThrow()))
                    .isEqualTo(error);
        }
    }

    @Test
    void errorFrameDecodesToTheTypedResponseWithDefaults() throws Exception {
        for (ApiKey key : ApiKey.values()) {
            ByteBuffer bytes = FrameCodec.encodeErrorFrame(key.id(), 5, ErrorCode.UNKNOWN_GROUP_MEMBER, "expired");

            ApiResponse response = codec.decodeResponse(codec.next(bytes).orElseThrow());

            assertThat(response.apiKey()).isEqualTo(key);
            assertThat(response.error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
            assertThat(response.errorMessage()).isEqualTo("expired");
            assertThat(response).isEqualTo(Messages.errorResponse(key, ErrorCode.UNKNOWN_GROUP_MEMBER, "expired"));
        }
    }

    @Test
    void everyTruncatedRequestBodyIsAProtocolExceptionThatKeepsTheConnection() throws Exception {
        for (ApiRequest request : Samples.requests().values()) {
            Frame whole = codec.next(codec.encodeRequest(9, request)).orElseThrow();
            for (int length = 0; length < whole.body().remaining(); length++) {
                Frame cut = new Frame(whole.apiKeyId(), whole.apiVersion(), 9, whole.body().slice().limit(length));
                ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.decodeRequest(cut));
                assertThat(e).as("%s cut to %d bytes", request.apiKey(), length).isNotNull();
                assertThat(e.requestId()).isEqualTo(9);
                assertThat(e.closeConnection()).isFalse();
            }
        }
    }

    @Test
    void everyTruncatedResponseBodyIsAProtocolException() throws Exception {
        for (ApiResponse response : Samples.responses().values()) {
            Frame whole = codec.next(codec.encodeResponse(9, response)).orElseThrow();
            for (int length = 0; length < whole.body().remaining(); length++) {
                Frame cut = new Frame(whole.apiKeyId(), whole.apiVersion(), 9, whole.body().slice().limit(length));
                assertThat(catchThrowableOfType(ProtocolException.class, () -> codec.decodeResponse(cut)))
                        .as("%s cut to %d bytes", response.apiKey(), length).isNotNull();
            }
        }
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        for (ApiRequest request : Samples.requests().values()) {
            Frame whole = codec.next(codec.encodeRequest(3, request)).orElseThrow();
            ByteBuffer longer = ByteBuffer.allocate(whole.body().remaining() + 1).put(whole.body().duplicate());
            Frame padded = new Frame(whole.apiKeyId(), whole.apiVersion(), 3, longer.rewind());
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.decodeRequest(padded));
            assertThat(e.getMessage()).as("%s", request.apiKey()).contains("1 trailing bytes");
        }
    }

    @Test
    void framesArriveByteByByteAndBackToBack() throws Exception {
        ByteBuffer first = codec.encodeRequest(1, Samples.requests().get(ApiKey.PRODUCE));
        ByteBuffer second = codec.encodeRequest(2, Samples.requests().get(ApiKey.LIST_TOPICS));
        ByteBuffer stream = ByteBuffer.allocate(first.remaining() + second.remaining()).put(first).put(second).flip();
        ByteBuffer received = ByteBuffer.allocate(stream.capacity()).flip();
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < stream.capacity(); i++) {
            received.limit(i + 1).put(i, stream.get(i)); // one more byte arrives
            int before = received.position();
            Optional<Frame> f = codec.next(received);
            if (f.isEmpty()) {
                assertThat(received.position()).isEqualTo(before);
            }
            f.ifPresent(frames::add);
        }
        assertThat(frames).extracting(Frame::requestId).containsExactly(1, 2);
        assertThat(received.hasRemaining()).isFalse();
        assertThat(codec.decodeRequest(frames.get(0))).isEqualTo(Samples.requests().get(ApiKey.PRODUCE));
    }

    @Test
    void littleEndianInputIsStillReadBigEndian() throws Exception {
        ByteBuffer bytes = codec.encodeRequest(77, new CreateTopic.Request("t", 1)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(codec.next(bytes).orElseThrow().requestId()).isEqualTo(77);
    }

    @Test
    void oversizedFrameIsMessageTooLargeWithItsRequestIdAndCloses() throws Exception {
        FrameCodec small = new FrameCodec(64);
        ByteBuffer frame = codec.encodeRequest(31, Samples.requests().get(ApiKey.PRODUCE));

        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> small.next(frame.slice().limit(FrameCodec.LENGTH_FIELD_BYTES + FrameCodec.HEADER_BYTES)));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        assertThat(e.requestId()).isEqualTo(31);
        assertThat(e.apiKeyId()).isEqualTo(ApiKey.PRODUCE.id());
        assertThat(e.closeConnection()).isTrue();
        assertThat(e.getMessage()).contains("exceeds maxFrameBytes 64");
        Frame answer = codec.next(FrameCodec.errorFrameFor(e).orElseThrow()).orElseThrow();
        assertThat(answer.requestId()).isEqualTo(31);
        assertThat(codec.decodeResponse(answer).error()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    void oversizedFrameWaitsForItsHeaderBeforeFailing() throws Exception {
        ByteBuffer onlyLength = ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip();
        assertThat(codec.next(onlyLength)).isEmpty();
        assertThat(onlyLength.position()).isZero();
    }

    @Test
    void frameTooShortForAHeaderClosesWithoutAnAnswer() {
        for (int length : new int[] {Integer.MIN_VALUE, -1, 0, 7}) {
            ByteBuffer bytes = ByteBuffer.allocate(16).putInt(length).flip();
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.next(bytes));
            assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.hasRequestId()).isFalse();
            assertThat(e.closeConnection()).isTrue();
            assertThat(FrameCodec.errorFrameFor(e)).isEmpty();
        }
    }

    @Test
    void unknownApiKeyIsInvalidRequestAndCloses() throws Exception {
        Frame frame = new Frame((short) 999, (short) 1, 12, ByteBuffer.allocate(0));

        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.decodeRequest(frame));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.closeConnection()).isTrue();
        assertThat(e.apiKeyId()).isEqualTo(999);
        Frame answer = codec.next(FrameCodec.errorFrameFor(e).orElseThrow()).orElseThrow();
        assertThat(answer.apiKeyId()).isEqualTo((short) 999);
        assertThat(answer.requestId()).isEqualTo(12);
    }

    @Test
    void unsupportedApiVersionIsAnsweredAndKeepsTheConnection() {
        Frame frame = new Frame(ApiKey.HELLO.id(), (short) 2, 4, ByteBuffer.allocate(0));

        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.decodeRequest(frame));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(e.closeConnection()).isFalse();
        assertThat(e.getMessage()).contains("version 2", "1..1");
    }

    @Test
    void corruptBatchInProduceIsCorruptMessage() throws Exception {
        Frame whole = codec.next(codec.encodeRequest(8, Samples.requests().get(ApiKey.PRODUCE))).orElseThrow();
        byte[] body = new byte[whole.body().remaining()];
        whole.body().duplicate().get(body);
        body[body.length - 3] ^= 0x10; // inside the batch, under its CRC

        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> codec.decodeRequest(new Frame(whole.apiKeyId(), whole.apiVersion(), 8, ByteBuffer.wrap(body))));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.CORRUPT_MESSAGE);
        assertThat(e.getMessage()).contains("BAD_CRC");
        assertThat(e.closeConnection()).isFalse();
    }

    /** The header is written into space the body reserved: the limit counts header and body, as {@link FrameCodec#next} does. */
    @Test
    void aFrameOfExactlyMaxFrameBytesEncodesAndDecodesAndOneMoreDoesNot() throws Exception {
        ApiRequest request = Samples.requests().get(ApiKey.PRODUCE);
        int length = codec.encodeRequest(5, request).getInt(0);
        FrameCodec exact = new FrameCodec(length);
        ByteBuffer frame = exact.encodeRequest(5, request);
        assertThat(frame.remaining()).isEqualTo(FrameCodec.LENGTH_FIELD_BYTES + length);
        Frame back = exact.next(frame).orElseThrow();
        assertThat(back.requestId()).isEqualTo(5);
        assertThat(back.apiKeyId()).isEqualTo(ApiKey.PRODUCE.id());
        assertThat(exact.decodeRequest(back)).isEqualTo(request);
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> new FrameCodec(length - 1).encodeRequest(5, request));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains("frame of " + length + " bytes");
    }

    @Test
    void encodingAFrameAboveTheLimitFailsLocally() {
        FrameCodec small = new FrameCodec(64);
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> small.encodeRequest(1, Samples.requests().get(ApiKey.PRODUCE)));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains("PRODUCE", "64");
    }

    @Test
    void errorFrameMessageIsCutToTheLimit() throws Exception {
        ByteBuffer bytes = FrameCodec.encodeErrorFrame(ApiKey.FETCH.id(), 1, ErrorCode.TIMEOUT, "x".repeat(50_000));
        assertThat(codec.decodeResponse(codec.next(bytes).orElseThrow()).errorMessage())
                .hasSize(FrameCodec.MAX_ERROR_MESSAGE_CHARS);
    }

    @Test
    void authenticateNeverPrintsItsPayload() {
        assertThat(Samples.requests().get(ApiKey.AUTHENTICATE).toString()).doesNotContain("r=abc")
                .contains("15 bytes");
    }
}
