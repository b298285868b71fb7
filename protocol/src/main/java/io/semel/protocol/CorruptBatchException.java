package io.semel.protocol;

/**
 * A byte sequence is not a valid record batch. Thrown by {@link RecordBatch#decode}; the only
 * exception decoding ever throws for bad input.
 *
 * <p>Checked, because every caller (recovery, the network edge) must decide what a bad batch
 * means for it: truncate the log tail, or answer {@link ErrorCode#CORRUPT_MESSAGE}.
 */
public final class CorruptBatchException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong, so recovery can tell a torn tail from corruption in its log line. */
    public enum Reason {
        /** Fewer bytes than the length field promises, or than a header needs: a torn write. */
        TRUNCATED,
        /** The length field is below the header size or above the size limit. */
        BAD_LENGTH,
        /** The CRC32C does not match the bytes it covers. */
        BAD_CRC,
        /** A format version this code does not know. */
        UNKNOWN_VERSION,
        /** The CRC matched but the content is inconsistent (counts, lengths, timestamps). */
        BAD_CONTENT
    }

    private final Reason reason;

    public CorruptBatchException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public ErrorCode errorCode() {
        return reason == Reason.UNKNOWN_VERSION ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.CORRUPT_MESSAGE;
    }
}
