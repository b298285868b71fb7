package io.semel.protocol;

import io.semel.protocol.internal.WireWriter;

/**
 * A request body. Implementations are immutable records, one per {@link ApiKey}, each with a
 * static {@code decode(WireReader)}; frame them with {@link FrameCodec}.
 */
public interface ApiRequest {
    /** Which API this request belongs to. */
    ApiKey apiKey();

    /** The layout version this request is written in (the frame header's apiVersion). */
    default short apiVersion() {
        return apiKey().latestVersion();
    }

    /** Writes the body (the frame header is written by {@link FrameCodec}). */
    void encode(WireWriter w);
}
