package io.semel.protocol;

/**
 * Bytes received from the network do not form a valid frame or message. The only exception the
 * protocol decoders throw for bad input (never {@code IndexOutOfBoundsException} or
 * {@code BufferUnderflowException}).
 *
 * <p>Checked, because the receiver must decide what to do: the broker answers with
 * {@link #errorCode()} and, when {@link #closeConnection()} is true, closes the connection (see
 * the connection behaviour table in {@link FrameCodec}); a client treats it as a broken
 * connection.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Marks a request id that could not be read (the frame header itself was unreadable). */
    public static final int NO_REQUEST_ID = -1;
    /** Marks an api key that could not be read. */
    public static final int NO_API_KEY = -1;

    private final ErrorCode errorCode;
    private final String detail;
    private final int apiKeyId;
    private final int requestId;
    private final boolean closeConnection;

    /** A problem inside a well-delimited message body: answer it, keep the connection. */
    public ProtocolException(ErrorCode errorCode, String message) {
        this(errorCode, message, NO_API_KEY, NO_REQUEST_ID, false);
    }

    /**
     * @param apiKeyId raw api key of the offending frame, or {@link #NO_API_KEY}
     * @param requestId request id of the offending frame, or {@link #NO_REQUEST_ID}
     * @param closeConnection true when the byte stream can no longer be trusted
     */
    public ProtocolException(ErrorCode errorCode, String message, int apiKeyId, int requestId,
            boolean closeConnection) {
        super(errorCode + " (" + errorCode.code() + "): " + message);
        if (errorCode == ErrorCode.NONE) {
            throw new IllegalArgumentException("a protocol error needs an error code other than NONE");
        }
        this.errorCode = errorCode;
        this.detail = message;
        this.apiKeyId = apiKeyId;
        this.requestId = requestId;
        this.closeConnection = closeConnection;
    }

    /** The code to answer with. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** The message without the error code prefix, as sent in an error frame. */
    public String detail() {
        return detail;
    }

    /** Raw api key of the frame, or {@link #NO_API_KEY}. */
    public int apiKeyId() {
        return apiKeyId;
    }

    /** Request id of the frame, or {@link #NO_REQUEST_ID} when none could be read (no answer possible). */
    public int requestId() {
        return requestId;
    }

    public boolean hasRequestId() {
        return requestId != NO_REQUEST_ID;
    }

    /** Whether the connection must be closed after answering. */
    public boolean closeConnection() {
        return closeConnection;
    }

    /** The same problem, attributed to a frame. */
    ProtocolException inFrame(int frameApiKeyId, int frameRequestId, boolean close) {
        return new ProtocolException(errorCode, detail, frameApiKeyId, frameRequestId, close);
    }
}
