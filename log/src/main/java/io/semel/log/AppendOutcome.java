package io.semel.log;

/**
 * What an append did: the offsets the batch occupies and whether it was a retry of a batch the
 * log already holds. For a duplicate the offsets are the <em>original</em> ones, or -1 when the
 * original batch fell out of the dedup window (the data is still there exactly once).
 */
public record AppendOutcome(long baseOffset, long lastOffset, boolean duplicate) {

    public static final long UNKNOWN_OFFSET = -1L;

    static AppendOutcome appended(long baseOffset, long lastOffset) {
        return new AppendOutcome(baseOffset, lastOffset, false);
    }

    static AppendOutcome duplicate(long baseOffset, long lastOffset) {
        return new AppendOutcome(baseOffset, lastOffset, true);
    }
}
