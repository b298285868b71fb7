package io.semel.processor.store;

import java.util.OptionalLong;

/**
 * An inbox row as read back: the entry plus its status, processing attempts and, once PROCESSED,
 * when that happened (epoch milliseconds).
 */
public record InboxRow(InboxEntry entry, InboxStatus status, int attempts, OptionalLong processedAtMs) {
}
