package io.semel.log.producer;

/**
 * A producer-state snapshot failed its magic, version, CRC, length or content check. Snapshots
 * are caches: the caller drops the file and rebuilds the state by replaying the log.
 */
public final class CorruptSnapshotException extends Exception {
    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(String message) {
        super(message);
    }
}
