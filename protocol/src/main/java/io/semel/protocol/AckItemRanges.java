package io.semel.protocol;

import io.semel.protocol.internal.Check;
import java.util.List;

/**
 * {@link Ack.Item}s held as ranges (see {@link OffsetRanges}): the tag of a range is its lease
 * epoch. What {@link Ack.Request#items()} and {@link Poll.Request#acks()} hold, so the ranges that
 * travel in ACK v2 and POLL v2+ are neither expanded on decode nor re-coalesced on encode.
 */
public final class AckItemRanges extends OffsetRanges<Ack.Item> {
    private static final AckItemRanges EMPTY = new Builder().build();

    private AckItemRanges(Builder b) {
        super(b);
    }

    public static AckItemRanges empty() {
        return EMPTY;
    }

    /** {@code items} as ranges; the same object when it already is one. */
    public static AckItemRanges of(List<Ack.Item> items) {
        if (items instanceof AckItemRanges r) {
            return r;
        }
        Builder b = new Builder();
        for (Ack.Item i : items) {
            b.add(i.partition(), i.leaseEpoch(), i.offset());
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public long leaseEpoch(int range) {
        return tag(range);
    }

    /** Elements {@code [from, to)} as ranges: visits ranges, makes no element. */
    public AckItemRanges slice(int from, int to) {
        Builder b = new Builder();
        forEachRangeIn(from, to, (r, lo, hi, first) -> b.addRange(partition(r), leaseEpoch(r), first, first + (hi - lo) - 1));
        return b.build();
    }

    @Override
    Ack.Item element(int partition, long tag, long offset) {
        return new Ack.Item(partition, tag, offset);
    }

    /** Collects items in order (each checked as {@link Ack.Item} checks it). Not thread-safe. */
    public static final class Builder extends OffsetRanges.Builder<AckItemRanges> {
        public Builder add(int partition, long leaseEpoch, long offset) {
            return addRange(partition, leaseEpoch, offset, offset);
        }

        /** Offsets {@code first..last} inclusive. */
        public Builder addRange(int partition, long leaseEpoch, long first, long last) {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
            Check.range("offset", first, 0, Long.MAX_VALUE);
            Check.range("lastOffset", last, first, Long.MAX_VALUE);
            append(partition, leaseEpoch, first, last);
            return this;
        }

        /** Every item of {@code items}, in order, range by range. */
        public Builder addAll(AckItemRanges items) {
            for (int r = 0; r < items.rangeCount(); r++) {
                addRange(items.partition(r), items.leaseEpoch(r), items.firstOffset(r), items.lastOffset(r));
            }
            return this;
        }

        @Override
        public AckItemRanges build() {
            return new AckItemRanges(this);
        }
    }
}
