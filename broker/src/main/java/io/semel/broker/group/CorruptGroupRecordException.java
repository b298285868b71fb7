package io.semel.broker.group;

/**
 * Bytes are not a valid {@link GroupRecord}, or a sequence of records cannot have been written by
 * {@link GroupState} (replay found, for example, a second settlement of one offset). The only
 * exception {@link GroupRecordCodec#decode} and {@link GroupState#replay} throw for bad input.
 *
 * <p>Checked, like {@code CorruptBatchException}: the shell must decide what it means (stop the
 * broker and ask an operator, since group records are the source of truth, not a cache).
 */
public final class CorruptGroupRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Reason {
        /** Fewer bytes than the record type needs: a torn or cut record. */
        TRUNCATED,
        /** Bytes left over after a complete record. */
        TRAILING_BYTES,
        /** A format version this code does not know. */
        UNKNOWN_VERSION,
        /** A record type this code does not know. */
        UNKNOWN_TYPE,
        /** Well-formed but out of range (negative offset, count 0, bad UTF-8, unknown reason). */
        BAD_CONTENT,
        /** Each record is valid, but the sequence is impossible (replay only). */
        INCONSISTENT
    }

    private final Reason reason;

    public CorruptGroupRecordException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
