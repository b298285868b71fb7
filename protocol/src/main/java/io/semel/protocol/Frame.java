package io.semel.protocol;

import java.nio.ByteBuffer;

/**
 * One frame read off a connection: header fields plus the body bytes, not yet interpreted.
 * The api key stays a raw number so a frame with an unknown key can still be answered.
 *
 * @param apiKeyId raw api key; see {@link ApiKey#forId}
 * @param apiVersion version of the API's layout used by the body
 * @param requestId chosen by the client, echoed in the response
 * @param body the body bytes, read-only, positioned at 0; owned by this frame (a copy)
 */
public record Frame(short apiKeyId, short apiVersion, int requestId, ByteBuffer body) {
    public Frame {
        body = body.asReadOnlyBuffer();
    }

    /** Size of this frame on the wire, length field included. */
    public int sizeInBytes() {
        return FrameCodec.LENGTH_FIELD_BYTES + FrameCodec.HEADER_BYTES + body.remaining();
    }
}
