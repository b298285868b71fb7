package io.semel.protocol;

import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Splits a byte stream into frames and turns frames into messages and back. Pure: no sockets, no
 * threads; the broker's and client's network layers wrap it. Immutable and thread-safe.
 *
 * <pre>
 * offset size field       meaning
 * ------ ---- ----------- ------------------------------------------------------------------
 *      0    4 length      int32, bytes after this field: 8 + body; 8..maxFrameBytes
 *      4    2 apiKey      int16, {@link ApiKey} number; a response echoes the request's
 *      6    2 apiVersion  int16, layout version of the body ({@link ApiKey#latestVersion()})
 *      8    4 requestId   int32, chosen by the client; a response echoes it
 *     12    * body        the request or response (see each API class); big-endian throughout
 * </pre>
 *
 * <p><b>Pipelining and order.</b> A client may send many requests without waiting. The broker
 * answers them <em>in request order</em> on each connection; the echoed requestId lets the client
 * check the pairing, and a mismatch is a protocol violation (close the connection).
 *
 * <p><b>Error frames.</b> Every response body starts with {@code int16 error, string? errorMessage}
 * ({@link ApiResponse}). An error response may stop there; {@link #decodeResponse} then fills in
 * the API's defaults. The broker answers every input problem with such a frame:
 *
 * <pre>
 * problem                                    error                answer              then
 * -----------------------------------------  -------------------  ------------------  ----------
 * length &lt; 8 (no header)                      INVALID_REQUEST      none (no id)        close
 * length &gt; maxFrameBytes                     MESSAGE_TOO_LARGE    error frame         close
 * unknown apiKey                             INVALID_REQUEST      error frame         close
 * apiVersion not supported                   UNSUPPORTED_VERSION  error frame         keep open
 * malformed body (underflow, bad length,     INVALID_REQUEST      error frame         keep open
 *   bad UTF-8, value out of range, trailing)
 * corrupt record batch inside PRODUCE        CORRUPT_MESSAGE      error frame         keep open
 * </pre>
 *
 * Framing errors close the connection because the stream position can no longer be trusted (an
 * oversized frame is not read, so the next "frame" would start inside it). A bad body is fully
 * delimited by its length, so the connection stays usable and other pipelined requests still
 * get answers. The {@link ProtocolException} thrown here says which case applies.
 */
public final class FrameCodec {
    public static final int LENGTH_FIELD_BYTES = 4;
    /** apiKey + apiVersion + requestId. */
    public static final int HEADER_BYTES = 8;
    /** Length field and header: what an encoder reserves before the body. */
    private static final int FRAME_PREFIX_BYTES = LENGTH_FIELD_BYTES + HEADER_BYTES;
    /** Error-frame messages are cut to this many characters, so any message fits a string field. */
    public static final int MAX_ERROR_MESSAGE_CHARS = 1000;

    private final int maxFrameBytes;

    /** @param maxFrameBytes the largest length field accepted or produced, bytes; >= {@value #HEADER_BYTES} */
    public FrameCodec(int maxFrameBytes) {
        if (maxFrameBytes < HEADER_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " below the header size " + HEADER_BYTES);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /** A codec with {@link Protocol#MAX_FRAME_BYTES_DEFAULT}. */
    public FrameCodec() {
        this(Protocol.MAX_FRAME_BYTES_DEFAULT);
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * Takes the next whole frame from {@code in}, advancing its position past it. When the frame
     * is not complete yet, returns empty and leaves the position unchanged: append more bytes and
     * call again. Reads big-endian whatever {@code in}'s byte order.
     *
     * @throws ProtocolException for a framing error; {@link ProtocolException#closeConnection()} is
     *     true, and it carries the request id when one could be read
     */
    public Optional<Frame> next(ByteBuffer in) throws ProtocolException {
        int start = in.position();
        int total = frameBytes(in);
        if (total < 0 || in.remaining() < total) {
            return Optional.empty();
        }
        ByteBuffer b = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        byte[] body = new byte[total - FRAME_PREFIX_BYTES];
        b.get(start + FRAME_PREFIX_BYTES, body);
        in.position(start + total);
        return Optional.of(new Frame(b.getShort(start + 4), b.getShort(start + 6), b.getInt(start + 8),
                ByteBuffer.wrap(body)));
    }

    /**
     * The size of the frame starting at {@code in}'s position, its length field included, once its
     * header has arrived (-1 before): a reader can then take a large frame's remaining bytes straight
     * into an array of its own and hand that to {@link #frameOf}, rather than gather them in a buffer
     * and copy them out. Does not move the position.
     *
     * @throws ProtocolException for a framing error, as {@link #next} does
     */
    public int frameBytes(ByteBuffer in) throws ProtocolException {
        ByteBuffer b = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        int start = b.position();
        if (b.remaining() < LENGTH_FIELD_BYTES) {
            return -1;
        }
        int length = b.getInt(start);
        if (length < HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.INVALID_REQUEST, "frame length " + length + " below the header size "
                    + HEADER_BYTES, ProtocolException.NO_API_KEY, ProtocolException.NO_REQUEST_ID, true);
        }
        // Wait for the header even for an oversized frame, so the error can name the request.
        if (b.remaining() < FRAME_PREFIX_BYTES) {
            return -1;
        }
        if (length > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.MESSAGE_TOO_LARGE, "frame length " + length
                    + " bytes exceeds maxFrameBytes " + maxFrameBytes, b.getShort(start + 4), b.getInt(start + 8), true);
        }
        return LENGTH_FIELD_BYTES + length;
    }

    /**
     * The frame that {@code whole} holds exactly, length field included, as {@link #frameBytes}
     * measured it. The frame's body is a view of the array, not a copy: the caller hands the array over.
     *
     * @throws ProtocolException if the array is not exactly one frame (a framing error)
     */
    public Frame frameOf(byte[] whole) throws ProtocolException {
        ByteBuffer b = ByteBuffer.wrap(whole);
        int total = frameBytes(b);
        if (total != whole.length) {
            throw new ProtocolException(ErrorCode.INVALID_REQUEST, "frame of " + total + " bytes in an array of "
                    + whole.length, ProtocolException.NO_API_KEY, ProtocolException.NO_REQUEST_ID, true);
        }
        return new Frame(b.getShort(4), b.getShort(6), b.getInt(8),
                ByteBuffer.wrap(whole, FRAME_PREFIX_BYTES, total - FRAME_PREFIX_BYTES).slice());
    }

    /**
     * Interprets a request frame.
     *
     * @throws ProtocolException carrying the frame's api key and request id; closeConnection only
     *     for an unknown api key
     */
    public ApiRequest decodeRequest(Frame frame) throws ProtocolException {
        ApiKey key = keyOf(frame);
        try {
            WireReader r = new WireReader(frame.body());
            ApiRequest request = Messages.decodeRequest(key, frame.apiVersion(), r);
            r.expectEnd(key + " request");
            return request;
        } catch (ProtocolException e) {
            throw e.inFrame(frame.apiKeyId(), frame.requestId(), false);
        }
    }

    /**
     * Interprets a response frame; an error frame becomes the typed response with defaults.
     *
     * @throws ProtocolException when the frame is not a valid response (the client should close)
     */
    public ApiResponse decodeResponse(Frame frame) throws ProtocolException {
        ApiKey key = keyOf(frame);
        try {
            WireReader peek = new WireReader(frame.body());
            ErrorCode error = peek.readErrorCode();
            String message = peek.readNullableString();
            if (error != ErrorCode.NONE && peek.remaining() == 0) {
                return Messages.errorResponse(key, error, message);
            }
            WireReader r = new WireReader(frame.body());
            ApiResponse response = Messages.decodeResponse(key, frame.apiVersion(), r);
            r.expectEnd(key + " response");
            return response;
        } catch (ProtocolException e) {
            throw e.inFrame(frame.apiKeyId(), frame.requestId(), true);
        }
    }

    /** Frames a request in its version ({@link ApiRequest#apiVersion()}: the API's latest unless it says otherwise). */
    public ByteBuffer encodeRequest(int requestId, ApiRequest request) throws ProtocolException {
        WireWriter body = WireWriter.reserving(FRAME_PREFIX_BYTES);
        request.encode(body);
        return frame(request.apiKey(), request.apiVersion(), requestId, body);
    }

    /** Frames a response; the caller passes the request id it answers. */
    public ByteBuffer encodeResponse(int requestId, ApiResponse response) throws ProtocolException {
        return encodeResponse(requestId, response, WireWriter.reserving(FRAME_PREFIX_BYTES, response.encodedBytesHint()));
    }

    /**
     * Frames a response into {@code scratch} (see {@link WireWriter#into}): the frame is a view of
     * {@code scratch}, or of a larger array when it did not fit ({@code ByteBuffer.array()} says
     * which), valid until the caller reuses that array.
     */
    public ByteBuffer encodeResponse(int requestId, ApiResponse response, byte[] scratch) throws ProtocolException {
        return encodeResponse(requestId, response, WireWriter.into(scratch, FRAME_PREFIX_BYTES));
    }

    private ByteBuffer encodeResponse(int requestId, ApiResponse response, WireWriter body) throws ProtocolException {
        response.encode(body);
        return frame(response.apiKey(), response.apiVersion(), requestId, body);
    }

    /**
     * An error frame: body is only {@code error, errorMessage}. Usable for any api key, even an
     * unknown one; the message is cut to {@value #MAX_ERROR_MESSAGE_CHARS} characters.
     */
    public static ByteBuffer encodeErrorFrame(int apiKeyId, int requestId, ErrorCode error, String message) {
        if (error == ErrorCode.NONE) {
            throw new IllegalArgumentException("an error frame needs an error other than NONE");
        }
        String cut = message != null && message.length() > MAX_ERROR_MESSAGE_CHARS
                ? message.substring(0, MAX_ERROR_MESSAGE_CHARS) : message;
        WireWriter body = WireWriter.reserving(FRAME_PREFIX_BYTES).writeErrorCode(error).writeNullableString(cut);
        // An unknown key has no version of its own; 1 is every API's first.
        return header(apiKeyId, (short) 1, requestId, body);
    }

    /** The error frame that answers {@code e}, or empty when no request id could be read. */
    public static Optional<ByteBuffer> errorFrameFor(ProtocolException e) {
        if (!e.hasRequestId()) {
            return Optional.empty();
        }
        return Optional.of(encodeErrorFrame(e.apiKeyId(), e.requestId(), e.errorCode(), e.detail()));
    }

    private static ApiKey keyOf(Frame frame) throws ProtocolException {
        ApiKey key;
        try {
            key = ApiKey.forId(frame.apiKeyId());
        } catch (ProtocolException e) {
            // Without a known API nothing else in the stream can be trusted to be ours.
            throw e.inFrame(frame.apiKeyId(), frame.requestId(), true);
        }
        if (!key.supports(frame.apiVersion())) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, key + " version " + frame.apiVersion()
                    + " not supported; this code reads " + key.oldestVersion() + ".." + key.latestVersion(),
                    frame.apiKeyId(), frame.requestId(), false);
        }
        return key;
    }

    /** Refuses to produce what the peer's {@link #next} would reject, so the error is local and clear. */
    private ByteBuffer frame(ApiKey key, short version, int requestId, WireWriter body) throws ProtocolException {
        int length = body.size() - LENGTH_FIELD_BYTES; // header and body: what the length field counts
        if (length > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.MESSAGE_TOO_LARGE, key + " frame of " + length
                    + " bytes exceeds maxFrameBytes " + maxFrameBytes, key.id(), requestId, false);
        }
        return header(key.id(), version, requestId, body);
    }

    /** Writes the header into the {@link #FRAME_PREFIX_BYTES} that {@code body} reserved; the frame, not copied. */
    private static ByteBuffer header(int apiKeyId, short apiVersion, int requestId, WireWriter body) {
        return body.patchInt32(0, body.size() - LENGTH_FIELD_BYTES).patchInt16(4, apiKeyId).patchInt16(6, apiVersion)
                .patchInt32(8, requestId).wrapped();
    }
}
