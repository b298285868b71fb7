package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The broker's answer for one message of {@link Consumer#ack(java.util.List)}.
 *
 * @param error NONE (settled), STALE_LEASE (the partition was reassigned: it will be redelivered
 *     elsewhere, do not count it as settled), OFFSET_OUT_OF_RANGE (never delivered) or STORAGE_ERROR
 *     (retriable: ack again)
 */
public record AckResult(Message message, ErrorCode error) {
    public boolean ok() {
        return error == ErrorCode.NONE;
    }
}
