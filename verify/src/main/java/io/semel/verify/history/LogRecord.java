package io.semel.verify.history;

/** One record of the drained log: the message id stored at (partition, offset). */
public record LogRecord(long partition, long offset, String id) {
    public LogRecord {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id must be a non-empty string, got " + id);
        }
    }
}
