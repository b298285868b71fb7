package io.semel.log;

import java.io.IOException;

/**
 * The device holding a {@link Storage} is full (ENOSPC). Separate from other I/O failures so the
 * broker can answer {@code NOT_ENOUGH_SPACE} (retriable) instead of failing the partition.
 *
 * <p>When thrown from {@link StorageFile#write}, the log undoes what it can (it truncates the file
 * back to its previous size), so the failed write leaves no batch behind.
 */
public final class StorageFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public StorageFullException(String message) {
        super(message);
    }

    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
