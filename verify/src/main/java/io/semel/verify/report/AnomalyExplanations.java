package io.semel.verify.report;

import io.semel.verify.checker.AnomalyKind;
import java.util.EnumMap;
import java.util.Map;

/**
 * One plain sentence per anomaly kind for readers of the HTML report: what was seen, and what
 * usually causes it. The precise set definitions are on {@link AnomalyKind} and in docs/verify.md.
 * Every kind has a text (checked by a test, so a new kind cannot ship without one). Stateless.
 */
final class AnomalyExplanations {
    private static final Map<AnomalyKind, String> TEXT = new EnumMap<>(AnomalyKind.class);

    static {
        TEXT.put(AnomalyKind.LOST, "A send the producer saw confirmed was never applied to the store: the message "
                + "was lost somewhere between the broker's confirmation and the processor's commit.");
        TEXT.put(AnomalyKind.LOST_LOG, "A confirmed send is missing from the final read of the log: the broker "
                + "confirmed a write it did not keep (fsync or recovery bug).");
        TEXT.put(AnomalyKind.LOST_DELIVERED, "The message is in the log and a consumer received it, but it was never "
                + "applied: it was acked before (or without) being processed.");
        TEXT.put(AnomalyKind.DUP_LOG, "The same message id appears twice in the log: a producer retry was appended "
                + "again instead of being recognised as a duplicate.");
        TEXT.put(AnomalyKind.DUP_APPLIED, "The same message was applied twice to the store: a redelivery was not "
                + "recognised as already processed.");
        TEXT.put(AnomalyKind.UNEXPECTED, "An id shows up in the log, a delivery or the store that no producer ever "
                + "sent: corrupted or invented data.");
        TEXT.put(AnomalyKind.FAILED_VISIBLE, "A send reported as definitely failed is visible anyway: an error was "
                + "reported for a write that took effect.");
        TEXT.put(AnomalyKind.APPLIED_NOT_IN_LOG, "The store applied a message the log does not hold: the log lost "
                + "a record after it was consumed.");
        TEXT.put(AnomalyKind.INCONSISTENT_OFFSETS, "One partition offset was reported holding two different "
                + "messages (by a send confirmation, a delivery or the log): offsets were reused.");
        TEXT.put(AnomalyKind.STATE_VS_APPLIED, "An account's balance is not the sum of the messages recorded as "
                + "applied to it: part of a transaction was committed without the rest.");
        TEXT.put(AnomalyKind.STATE_VS_EXPECTED, "An account's balance differs from what the confirmed sends (plus "
                + "the unknown sends that reached the log) add up to.");
        TEXT.put(AnomalyKind.REDELIVERY_LIE, "A message was delivered again but carried delivery count 1: "
                + "redelivery was hidden from the consumer.");
        TEXT.put(AnomalyKind.COUNT_NOT_INCREASING, "A redelivery's count did not go up: the broker lost or reused "
                + "its delivery counter.");
        TEXT.put(AnomalyKind.APPLY_VANISHED, "An apply that committed is missing from a later read of the store: "
                + "a committed transaction vanished.");
        TEXT.put(AnomalyKind.STATE_ROLLBACK, "A later read of the store holds an id fewer times than an earlier "
                + "one: the store went back in time.");
        TEXT.put(AnomalyKind.OFFSET_MISMATCH, "A send confirmation or delivery put a message at an offset where the "
                + "final log does not have it: the log was rewritten.");
        TEXT.put(AnomalyKind.LOG_HOLE, "Offsets are missing inside a partition of the final log: records were "
                + "removed from its middle.");
        TEXT.put(AnomalyKind.POSITION_MISMATCH, "A stored consumer position does not match what its store applied: "
                + "position and effects were not committed together.");
        TEXT.put(AnomalyKind.LOST_WRITE, "A confirmed message below an offset that consumers reached was never "
                + "delivered to anyone (Jepsen's lost write).");
        TEXT.put(AnomalyKind.POLL_SKIP, "Within one lease, first deliveries jumped over an offset that nobody ever "
                + "received.");
        TEXT.put(AnomalyKind.POLL_REORDER, "A partition's deliveries went backwards within one poll or one lease.");
        TEXT.put(AnomalyKind.SEND_REORDER, "One producer's confirmed offsets in a partition do not follow its send "
                + "order: retries were appended out of order.");
    }

    private AnomalyExplanations() {
    }

    /** The sentence for {@code kind}. */
    static String of(AnomalyKind kind) {
        String t = TEXT.get(kind);
        if (t == null) {
            throw new IllegalStateException("anomaly kind " + kind + " has no explanation in AnomalyExplanations; add one");
        }
        return t;
    }
}
