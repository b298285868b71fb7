package io.semel.processor.store;

/** Number of inbox rows of one consumer by status (for {@code semel inspect inbox}). */
public record InboxCounts(long received, long processed, long failed) {
    /** Counts without FAILED rows. */
    public InboxCounts(long received, long processed) {
        this(received, processed, 0);
    }

    public long total() {
        return received + processed + failed;
    }
}
