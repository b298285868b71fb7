package io.semel.log;

import io.semel.protocol.RecordBatch;
import java.util.Objects;

/**
 * What {@link PartitionLog#append} did. Immutable.
 *
 * @param batch the batch as written, stamped with its base offset and a fresh CRC
 * @param rolled whether this append started a new segment
 */
public record AppendResult(RecordBatch batch, boolean rolled) {
    public AppendResult {
        Objects.requireNonNull(batch, "batch");
    }
}
