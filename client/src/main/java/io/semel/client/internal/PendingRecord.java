package io.semel.client.internal;

import io.semel.client.SendResult;
import io.semel.protocol.Header;
import io.semel.protocol.LogRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One record accepted by {@code send}, waiting to be batched. Immutable apart from its future.
 *
 * @param sequence the caller's sequence ({@code sendWithSequence}), or -1 when the producer assigns it
 */
public record PendingRecord(LogRecord record, long sequence, long enqueuedNanos, CompletableFuture<SendResult> future) {
    public static PendingRecord of(byte[] key, byte[] value, List<Header> headers, long sequence, long nowNanos) {
        return new PendingRecord(new LogRecord(key, value, headers), sequence, nowNanos, new CompletableFuture<>());
    }

    public int sizeBytes() {
        return record.encodedSize();
    }
}
