package io.semel.protocol;

import io.semel.protocol.internal.Check;
import java.util.List;

/**
 * {@link Ack.Result}s held as ranges (see {@link OffsetRanges}): the tag of a range is its error.
 * What {@link Ack.Response#results()} and {@link Poll.Response#ackResults()} hold, so a batch acked
 * in order is one range from the broker's decision to the client's reading of it.
 */
public final class AckResultRanges extends OffsetRanges<Ack.Result> {
    private static final ErrorCode[] CODES = ErrorCode.values();
    private static final AckResultRanges EMPTY = new Builder().build();

    private AckResultRanges(Builder b) {
        super(b);
    }

    public static AckResultRanges empty() {
        return EMPTY;
    }

    /** {@code results} as ranges; the same object when it already is one. */
    public static AckResultRanges of(List<Ack.Result> results) {
        if (results instanceof AckResultRanges r) {
            return r;
        }
        Builder b = new Builder();
        for (Ack.Result res : results) {
            b.add(res.partition(), res.offset(), res.error());
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public ErrorCode error(int range) {
        return CODES[(int) tag(range)];
    }

    /** The error of the element at list index {@code index}, without making the element. */
    public ErrorCode errorAt(int index) {
        return error(rangeOf(index));
    }

    @Override
    Ack.Result element(int partition, long tag, long offset) {
        return new Ack.Result(partition, offset, CODES[(int) tag]);
    }

    /** Collects results in order. Not thread-safe. */
    public static final class Builder extends OffsetRanges.Builder<AckResultRanges> {
        public Builder add(int partition, long offset, ErrorCode error) {
            return addRange(partition, offset, offset, error);
        }

        /** Offsets {@code first..last} inclusive, each with {@code error}. */
        public Builder addRange(int partition, long first, long last, ErrorCode error) {
            Check.notNull(error, "error");
            Check.range("lastOffset", last, first, Long.MAX_VALUE);
            append(partition, error.ordinal(), first, last);
            return this;
        }

        @Override
        public AckResultRanges build() {
            return new AckResultRanges(this);
        }
    }
}
