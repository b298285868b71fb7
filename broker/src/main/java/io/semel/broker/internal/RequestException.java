package io.semel.broker.internal;

import io.semel.protocol.ErrorCode;
import java.util.Objects;

/** A request the broker refuses for a reason the client can act on; answered with its code. */
public final class RequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    public RequestException(ErrorCode errorCode, String message) {
        super(message);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
