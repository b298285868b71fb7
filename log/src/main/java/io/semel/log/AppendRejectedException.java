package io.semel.log;

import io.semel.protocol.ErrorCode;
import java.util.Objects;

/**
 * The log refused an append for a reason the client caused (size limit, producer sequence or
 * epoch); nothing was written. The message carries every number needed to debug.
 */
public final class AppendRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    public AppendRejectedException(ErrorCode errorCode, String message) {
        super(message);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
