package io.semel.client;

import java.util.List;

/**
 * The answer to one {@link PartitionReader#read}: records at offsets from the requested one, in
 * offset order, and where the log stood.
 *
 * @param records at offsets {@code >= fromOffset}, ascending; empty when nothing was there yet
 * @param nextOffset the offset to read next: after the last record returned, or the requested one
 *     when none were
 * @param logStartOffset first offset still in the log (older ones were removed by retention)
 * @param logEndOffset offset the next appended record will get, when the broker answered
 */
public record PartitionRead(List<PartitionRecord> records, long nextOffset, long logStartOffset,
        long logEndOffset) {
    public PartitionRead {
        records = List.copyOf(records);
    }

    /** Whether this read reached the end of the log as it was when the broker answered. */
    public boolean atEnd() {
        return nextOffset >= logEndOffset;
    }
}
