package io.semel.processor.store;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The offsets of one partition a consumer has processed, as sequence dedup keeps them: a
 * <b>watermark</b> (every offset below it is processed) plus the sparse set of processed offsets
 * above it, held as sorted, disjoint, non-adjacent ranges {@code [start, end)}. Acks are per message,
 * so a batch can commit after a later one, and a nacked message leaves a gap until it is processed;
 * the watermark only ever moves to the first offset that is not processed, never past it.
 *
 * <p>The size is the number of gaps (messages still unprocessed below processed ones), not the number
 * of messages: a partition processed in order is one watermark and no range. A gap closes when its
 * message commits; a message the Semel broker dead-lettered (never processed here) leaves its gap for
 * good, which is why the number of ranges is bounded by {@link StoreLimits#SEQUENCE_RANGES_MAX}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProcessedOffsets {
    private static final long[] NONE = new long[0];

    private final long watermark;
    /** start0, end0, start1, end1, …: watermark < start0, end_i < start_{i+1}. */
    private final long[] ranges;

    private ProcessedOffsets(long watermark, long[] ranges) {
        this.watermark = watermark;
        this.ranges = ranges;
    }

    /** Every offset below {@code watermark} processed, none at or above it. */
    public static ProcessedOffsets below(long watermark) {
        if (watermark < 0) {
            throw new IllegalArgumentException("watermark must be >= 0, got " + watermark);
        }
        return new ProcessedOffsets(watermark, NONE);
    }

    /** Every offset below this one is processed; it is not (or it would have moved). */
    public long watermark() {
        return watermark;
    }

    /** Number of ranges of processed offsets above the watermark (= gaps below processed offsets). */
    public int rangeCount() {
        return ranges.length / 2;
    }

    /** The highest processed offset + 1, or the watermark when nothing above it is processed. */
    public long end() {
        return ranges.length == 0 ? watermark : ranges[ranges.length - 1];
    }

    /** How many offsets are processed: the watermark plus the lengths of the ranges. */
    public long count() {
        long n = watermark;
        for (int k = 0; k < ranges.length; k += 2) {
            n += ranges[k + 1] - ranges[k];
        }
        return n;
    }

    public boolean contains(long offset) {
        if (offset < watermark) {
            return true;
        }
        // Index of the last range start <= offset.
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid] <= offset) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi >= 0 && offset < ranges[2 * hi + 1];
    }

    /**
     * This set plus {@code offsets} (any order, duplicates allowed). The watermark moves up over every
     * offset that is now contiguous with it, and stops at the first one that is not processed.
     *
     * @throws IllegalStateException when the result would have more than {@link StoreLimits#SEQUENCE_RANGES_MAX} ranges
     */
    public ProcessedOffsets plus(long[] offsets) {
        if (offsets.length == 0) {
            return this;
        }
        long[] sorted = offsets.clone();
        Arrays.sort(sorted);
        if (sorted[0] < 0) {
            throw new IllegalArgumentException("offsets must be >= 0, got " + sorted[0]);
        }
        // Merge the existing ranges and the new offsets (each a range [o, o+1)) in start order.
        long[] out = new long[ranges.length + 2 * sorted.length];
        int n = 0;
        long wm = watermark;
        int i = 0;
        int j = 0;
        while (i < ranges.length || j < sorted.length) {
            long s;
            long e;
            if (j >= sorted.length || (i < ranges.length && ranges[i] <= sorted[j])) {
                s = ranges[i];
                e = ranges[i + 1];
                i += 2;
            } else {
                s = sorted[j];
                e = s + 1;
                j++;
            }
            if (s <= wm) {
                wm = Math.max(wm, e); // touches the watermark: absorbed
            } else if (n > 0 && s <= out[n - 1]) {
                out[n - 1] = Math.max(out[n - 1], e); // overlaps or touches the previous range
            } else {
                out[n++] = s;
                out[n++] = e;
            }
        }
        // Ranges that the moved watermark now reaches are absorbed too.
        int first = 0;
        while (first < n && out[first] <= wm) {
            wm = Math.max(wm, out[first + 1]);
            first += 2;
        }
        long[] result = Arrays.copyOfRange(out, first, n);
        if (result.length / 2 > StoreLimits.SEQUENCE_RANGES_MAX) {
            throw new IllegalStateException("sequence dedup state would hold " + result.length / 2 + " ranges of processed "
                    + "offsets above watermark " + wm + ", over SEQUENCE_RANGES_MAX " + StoreLimits.SEQUENCE_RANGES_MAX
                    + ": that many messages below processed ones were never processed here (dead-lettered by the broker, "
                    + "or still failing). Find them with the partition's dead-letter topic; for a topic with that many "
                    + "dead letters use Dedup.MESSAGE_ID");
        }
        return new ProcessedOffsets(wm, result);
    }

    /** The ranges as stored (8-byte big-endian start, end pairs); null when there is none. */
    public byte[] encodeRanges() {
        if (ranges.length == 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(ranges.length * Long.BYTES);
        for (long v : ranges) {
            b.putLong(v);
        }
        return b.array();
    }

    /**
     * Reads what {@link #encodeRanges()} wrote. Refuses bytes that are not a well-formed range list
     * above the watermark: dedup state that does not say exactly what was processed must not be guessed.
     */
    public static ProcessedOffsets decode(long watermark, byte[] encoded) {
        ProcessedOffsets base = below(watermark);
        if (encoded == null || encoded.length == 0) {
            return base;
        }
        if (encoded.length % (2 * Long.BYTES) != 0) {
            throw new IllegalStateException("sequence dedup ranges are " + encoded.length + " bytes, not a multiple of "
                    + 2 * Long.BYTES + ": the stored state is damaged; this processor cannot tell duplicates apart");
        }
        ByteBuffer b = ByteBuffer.wrap(encoded);
        long[] r = new long[encoded.length / Long.BYTES];
        long previousEnd = watermark;
        for (int k = 0; k < r.length; k += 2) {
            r[k] = b.getLong();
            r[k + 1] = b.getLong();
            if (r[k] <= previousEnd || r[k + 1] <= r[k]) {
                throw new IllegalStateException("sequence dedup ranges are not sorted, disjoint ranges above watermark "
                        + watermark + " (range " + k / 2 + " is [" + r[k] + ", " + r[k + 1] + ")): the stored state is "
                        + "damaged; this processor cannot tell duplicates apart");
            }
            previousEnd = r[k + 1];
        }
        return new ProcessedOffsets(watermark, r);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProcessedOffsets p && p.watermark == watermark && Arrays.equals(p.ranges, ranges);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(watermark) * 31 + Arrays.hashCode(ranges);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ProcessedOffsets[< ").append(watermark);
        for (int k = 0; k < ranges.length; k += 2) {
            sb.append(", [").append(ranges[k]).append(", ").append(ranges[k + 1]).append(')');
        }
        return sb.append(']').toString();
    }
}
