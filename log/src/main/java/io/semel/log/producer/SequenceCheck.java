package io.semel.log.producer;

/**
 * The decision for a batch that passed {@link ProducerStateTable#check}: append it, or answer it
 * as a duplicate without writing anything. Errors are not a kind: they are thrown as
 * {@link io.semel.log.AppendRejectedException}. Immutable; thread-safe.
 *
 * @param kind what the caller must do
 * @param originalBaseOffset for a {@link Kind#DUPLICATE} that matches a retained batch, the base
 *     offset it was written at; otherwise {@link #UNKNOWN_OFFSET}
 * @param originalLastOffset likewise, the last offset of the original batch
 */
public record SequenceCheck(Kind kind, long originalBaseOffset, long originalLastOffset) {

    /** Offset reported when the original of a duplicate is no longer retained (or for appends). */
    public static final long UNKNOWN_OFFSET = -1L;

    private static final SequenceCheck APPEND = new SequenceCheck(Kind.APPEND, UNKNOWN_OFFSET, UNKNOWN_OFFSET);
    private static final SequenceCheck DUPLICATE_UNKNOWN_OFFSETS =
            new SequenceCheck(Kind.DUPLICATE, UNKNOWN_OFFSET, UNKNOWN_OFFSET);

    public enum Kind {
        /** Write the batch, then call {@link ProducerStateTable#onAppended}. */
        APPEND,
        /** Write nothing; answer success with {@code duplicate = true} and the offsets given. */
        DUPLICATE
    }

    public SequenceCheck {
        if (kind == null) {
            throw new IllegalArgumentException("kind is null");
        }
        boolean known = originalBaseOffset != UNKNOWN_OFFSET;
        // Both offsets are known together, and only a duplicate has them.
        if (known != (originalLastOffset != UNKNOWN_OFFSET) || (known && kind == Kind.APPEND)
                || (known && (originalBaseOffset < 0 || originalLastOffset < originalBaseOffset))) {
            throw new IllegalArgumentException("inconsistent " + kind + " offsets " + originalBaseOffset
                    + ".." + originalLastOffset);
        }
    }

    public static SequenceCheck append() {
        return APPEND;
    }

    /** A duplicate whose original batch is retained, so the client learns where it was written. */
    public static SequenceCheck duplicate(long originalBaseOffset, long originalLastOffset) {
        return new SequenceCheck(Kind.DUPLICATE, originalBaseOffset, originalLastOffset);
    }

    /** A duplicate whose original batch is out of the retained window: offsets unknown (-1). */
    public static SequenceCheck duplicateWithUnknownOffsets() {
        return DUPLICATE_UNKNOWN_OFFSETS;
    }

    public boolean isDuplicate() {
        return kind == Kind.DUPLICATE;
    }

    /** True for a duplicate that carries its original offsets. */
    public boolean hasOriginalOffsets() {
        return originalBaseOffset != UNKNOWN_OFFSET;
    }
}
