package io.semel.log;

import io.semel.protocol.ErrorCode;

/**
 * A read asked for an offset outside {@code [startOffset, nextOffset]}: below it, retention has
 * deleted the data; above it, the data does not exist yet. Carries the range so the caller can
 * reset its position. Answered on the wire as {@link ErrorCode#OFFSET_OUT_OF_RANGE}.
 */
public final class OffsetOutOfRangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedOffset;
    private final long startOffset;
    private final long nextOffset;

    public OffsetOutOfRangeException(long requestedOffset, long startOffset, long nextOffset) {
        super("offset " + requestedOffset + " is outside the log, which holds offsets " + startOffset + " up to "
                + nextOffset + " (exclusive); read from an offset in that range");
        this.requestedOffset = requestedOffset;
        this.startOffset = startOffset;
        this.nextOffset = nextOffset;
    }

    public long requestedOffset() {
        return requestedOffset;
    }

    public long startOffset() {
        return startOffset;
    }

    public long nextOffset() {
        return nextOffset;
    }

    public ErrorCode errorCode() {
        return ErrorCode.OFFSET_OUT_OF_RANGE;
    }
}
