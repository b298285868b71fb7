package io.semel.log;

/**
 * A snapshot of one segment of a {@link PartitionLog}. Immutable.
 *
 * @param baseOffset offset of the segment's first batch (also its file name)
 * @param nextOffset offset after its last batch; equals {@code baseOffset} when empty
 * @param sizeBytes size of its {@code .log} file
 */
public record SegmentInfo(long baseOffset, long nextOffset, long sizeBytes) { }
