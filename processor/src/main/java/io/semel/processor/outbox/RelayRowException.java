package io.semel.processor.outbox;

import io.semel.processor.store.OutboxRow;
import io.semel.protocol.ErrorCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * The broker (or the client before sending) refused one outbox row for a reason of the row itself:
 * sending it again unchanged cannot succeed. The relay counts it against the row and, after
 * {@code sendAttemptsMax}, marks the row FAILED and dead-letters it, so the rows behind it flow.
 */
final class RelayRowException extends RelaySendException {
    private static final long serialVersionUID = 1L;

    /** Codes that belong to the row (its size, its topic), not to the broker's state or the network. */
    static final Set<ErrorCode> ROW_CODES = EnumSet.of(ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.CORRUPT_MESSAGE,
            ErrorCode.INVALID_TOPIC_NAME, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    private final transient OutboxRow row;
    private final ErrorCode code;

    RelayRowException(OutboxRow row, ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.row = row;
        this.code = code;
    }

    OutboxRow row() {
        return row;
    }

    ErrorCode code() {
        return code;
    }
}
