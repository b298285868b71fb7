package io.semel.client;

import io.semel.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * The results in {@code results} that did not settle their message, in order. Quick on the lists
     * a {@link Consumer} answers: a batch acked in order is held as one range there, and this looks
     * at ranges rather than at every result.
     */
    public static List<AckResult> failures(List<AckResult> results) {
        if (results instanceof AckResults ranges) {
            return ranges.failures();
        }
        List<AckResult> out = new ArrayList<>();
        for (AckResult r : results) {
            if (!r.ok()) {
                out.add(r);
            }
        }
        return out;
    }
}
