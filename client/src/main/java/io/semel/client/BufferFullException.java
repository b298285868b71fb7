package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * {@code send} waited {@code maxBlockMs} for room in the producer's buffer of
 * {@code bufferedRecordsMax} unconfirmed records and found none. Nothing was sent. Slow down, or
 * raise the limits; {@link #errorCode()} is {@link ErrorCode#THROTTLED}.
 */
public class BufferFullException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public BufferFullException(String message) {
        super(ErrorCode.THROTTLED, true, message, null);
    }
}
