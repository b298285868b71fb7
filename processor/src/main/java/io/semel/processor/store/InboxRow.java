package io.semel.processor.store;

import java.util.OptionalLong;

/**
 * An inbox row as read back: the entry plus its status, processing attempts, once PROCESSED when
 * that happened (epoch milliseconds), and the last handler error (null when none was recorded).
 */
public record InboxRow(InboxEntry entry, InboxStatus status, int attempts, OptionalLong processedAtMs,
        String lastError) {
}
