package io.semel.processor.store;

/** Outcome of {@link StoreTransaction#advancePosition}. Only {@link #APPLIED} changed the row. */
public enum PositionUpdate {
    /** The position moved forward (or was created) with the given lease epoch. */
    APPLIED,
    /**
     * The stored lease epoch is higher than the caller's: the caller is a stale member whose lease was
     * reassigned. Nothing changed; the caller must roll back its transaction.
     */
    FENCED,
    /**
     * The stored next offset is already at or beyond the requested one (another member or an earlier
     * attempt got there first). Nothing changed; the caller must roll back, the message is reflected.
     */
    NOT_FORWARD
}
