package io.semel.processor.store;

/** Number of inbox rows of one consumer by status (for {@code semel inspect inbox}). */
public record InboxCounts(long received, long processed) {
    public long total() {
        return received + processed;
    }
}
