package io.semel.processor.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * Status of an inbox row, and the one place its allowed transitions are written down.
 *
 * <pre>
 *   ABSENT ──insert──▶ RECEIVED ──markProcessed──▶ PROCESSED
 *      │                  └──────markFailed──────▶ FAILED
 *      └──────────insert (transactional mode)─────────▲
 * </pre>
 *
 * {@link #ABSENT} is never stored: it is what {@link StoreTransaction#inboxStatus} answers for an id
 * with no row. A PROCESSED row never goes back to RECEIVED; only retention deletes it (a deletion
 * after the dedup window, not a transition). FAILED is terminal too: a STORE_THEN_PROCESS row whose
 * handler failed {@code processAttemptsMax} times, kept with its last error for an operator; it still
 * deduplicates redeliveries of its message (a FAILED message is never applied by a redelivery).
 */
public enum InboxStatus {
    ABSENT,
    RECEIVED,
    PROCESSED,
    FAILED;

    /** Whether a row may move from this status to {@code next} through the store API. */
    public boolean canMoveTo(InboxStatus next) {
        return allowedNext().contains(next);
    }

    public Set<InboxStatus> allowedNext() {
        switch (this) {
            case ABSENT:
                return EnumSet.of(RECEIVED, PROCESSED);
            case RECEIVED:
                return EnumSet.of(PROCESSED, FAILED);
            case PROCESSED:
            case FAILED:
                return EnumSet.noneOf(InboxStatus.class);
            default:
                throw new AssertionError(this);
        }
    }

    /** Whether this status is stored in the {@code status} column (ABSENT is not). */
    public boolean stored() {
        return this != ABSENT;
    }
}
