package io.semel.log;

/**
 * What {@link PartitionLog#open} found and repaired. Immutable.
 *
 * @param segmentsScanned segments whose every batch was decoded (from the checkpoint onwards)
 * @param batchesScanned valid batches decoded in those segments
 * @param bytesTruncated bytes cut from a segment tail plus bytes of segments deleted after it
 * @param indexesRebuilt index files rewritten because they were missing, inconsistent or stale
 * @param recoveredFromOffset base offset of the first scanned segment
 */
public record RecoveryReport(int segmentsScanned, long batchesScanned, long bytesTruncated, int indexesRebuilt,
        long recoveredFromOffset) { }
