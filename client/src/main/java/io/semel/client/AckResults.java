package io.semel.client;

import io.semel.protocol.AckResultRanges;
import io.semel.protocol.ErrorCode;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The results of acking {@code messages}, one per message in order, each made when it is read from
 * the broker's answer held as ranges. A batch acked in order is answered as one range, so settling
 * it costs one object here rather than one {@link AckResult} per message, and
 * {@link AckResult#failures} finds the refused ones range by range. Making a result per message was
 * the largest single cost on the consumer thread when fetching ahead (17% of its samples).
 *
 * <p>Immutable (both lists are, and the caller never changes {@code messages} afterwards), so
 * threads may share it; {@link #subList} is another {@code AckResults} over the same lists.
 * Equal to any list of equal results.
 */
final class AckResults extends AbstractList<AckResult> implements RandomAccess {
    private final List<Message> messages;
    private final AckResultRanges ranges;
    /** This list is elements {@code [from, to)} of both. */
    private final int from;
    private final int to;

    /** {@code ranges} answers {@code messages} one for one. */
    AckResults(List<Message> messages, AckResultRanges ranges) {
        this(messages, ranges, 0, messages.size());
        if (messages.size() != ranges.size()) {
            throw new IllegalArgumentException(messages.size() + " messages but " + ranges.size() + " results");
        }
    }

    private AckResults(List<Message> messages, AckResultRanges ranges, int from, int to) {
        this.messages = messages;
        this.ranges = ranges;
        this.from = from;
        this.to = to;
    }

    @Override
    public AckResult get(int index) {
        Objects.checkIndex(index, size());
        return new AckResult(messages.get(from + index), ranges.errorAt(from + index));
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public List<AckResult> subList(int fromIndex, int toIndex) {
        Objects.checkFromToIndex(fromIndex, toIndex, size());
        return new AckResults(messages, ranges, from + fromIndex, from + toIndex);
    }

    /** The results that are not {@link ErrorCode#NONE}, in order; visits ranges, not elements. */
    List<AckResult> failures() {
        List<AckResult> out = new ArrayList<>();
        ranges.forEachRangeIn(from, to, (r, lo, hi, first) -> {
            ErrorCode error = ranges.error(r);
            for (int i = lo; i < hi && error != ErrorCode.NONE; i++) {
                out.add(new AckResult(messages.get(i), error));
            }
        });
        return out;
    }
}
