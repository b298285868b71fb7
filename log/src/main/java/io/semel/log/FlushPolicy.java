package io.semel.log;

/**
 * When the group-commit writer forces the log, and therefore when an append is confirmed.
 *
 * <p>{@link #everyBatch()} is the default and the only policy under which Semel's contract holds
 * against power loss or an OS crash: an append is confirmed only after its bytes were forced.
 * {@link #intervalMs(long)} confirms as soon as the bytes are written to the OS and forces every
 * N ms; a killed <em>process</em> loses nothing (the page cache survives), but a machine crash can
 * lose up to N ms of <em>confirmed</em> appends. It exists for comparison and for users who accept
 * that trade.
 */
public final class FlushPolicy {
    private final long intervalMs;

    private FlushPolicy(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    /** Force before confirming every group of appends (default). */
    public static FlushPolicy everyBatch() {
        return new FlushPolicy(0);
    }

    /** Confirm after the write, force at most every {@code intervalMs}; weaker, see class doc. */
    public static FlushPolicy intervalMs(long intervalMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("flush interval must be > 0 ms, got " + intervalMs);
        }
        return new FlushPolicy(intervalMs);
    }

    /** True if an append is confirmed only after a force. */
    public boolean forceBeforeConfirm() {
        return intervalMs == 0;
    }

    public long intervalMs() {
        return intervalMs;
    }

    @Override
    public String toString() {
        return forceBeforeConfirm() ? "fsync-before-confirm" : "fsync-every-" + intervalMs + "ms";
    }
}
