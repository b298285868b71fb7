package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * An ack or nack was refused with {@code STALE_LEASE}: the partition was reassigned since the
 * message was delivered, so it has been (or will be) redelivered to another member. Do not count
 * the message as settled. Thrown by {@link Consumer#ack(Message)} and {@link Consumer#nack}; the
 * list form {@link Consumer#ack(java.util.List)} reports it per item instead.
 */
public class StaleLeaseException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public StaleLeaseException(String message) {
        super(ErrorCode.STALE_LEASE, false, message, null);
    }
}
