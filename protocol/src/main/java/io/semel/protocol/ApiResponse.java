package io.semel.protocol;

import io.semel.protocol.internal.WireWriter;

/**
 * A response body. Every response body starts with the same two fields, so any peer can read the
 * outcome of any response:
 *
 * <pre>
 * type     field         meaning
 * -------  ------------  ---------------------------------------------------------------
 * int16    error         {@link ErrorCode} number; 0 = NONE
 * string?  errorMessage  what happened, with the numbers involved; null when error is NONE
 * </pre>
 *
 * <p>A response whose error is not NONE may end right after {@code errorMessage} (an "error frame",
 * see {@link FrameCodec}); the decoder then fills the remaining fields with the defaults each API
 * documents. Implementations are immutable records.
 */
public interface ApiResponse {
    /** Which API this response answers. */
    ApiKey apiKey();

    /** The outcome; {@link ErrorCode#NONE} for success. */
    ErrorCode error();

    /** Human-readable detail, or null. */
    String errorMessage();

    /**
     * The layout version this response is written in (the frame header's apiVersion): the version
     * of the request it answers, for an API with several.
     */
    default short apiVersion() {
        return apiKey().latestVersion();
    }

    /** Writes the body, starting with error and errorMessage. */
    void encode(WireWriter w);

    /**
     * About how many bytes {@link #encode} writes: the writer starts at that size, so a large body
     * (a poll's deliveries) is not copied again and again as its buffer doubles. A guess, never a limit.
     */
    default int encodedBytesHint() {
        return 64;
    }
}
