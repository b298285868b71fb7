package io.semel.broker.group;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.RandomAccess;

/**
 * What a poll hands out: {@link Delivery}s, held as runs. A run is consecutive offsets of one
 * partition handed out under one lease with one delivery count, whose records lie side by side in
 * one stored batch ({@link MessageRun}), so a poll of 500 new messages is a run or two, not 500
 * objects, and the shell sends each run's records as they are stored (POLL v4). As a list it is
 * one {@link Delivery} per message, made on demand ({@link #get} walks the run's records: for
 * tests and the occasional reader, not for the hot path, which reads {@link #runs}).
 *
 * <p>Immutable once built; thread-safe.
 */
public final class Deliveries extends AbstractList<Delivery> implements RandomAccess {
    private static final Deliveries EMPTY = new Deliveries(List.of());

    /**
     * One run of deliveries.
     *
     * @param deliveryCount as {@link Delivery#deliveryCount}, the same for every message of the run
     */
    public record Run(int partition, long leaseEpoch, int deliveryCount, MessageRun messages) {
    }

    private final List<Run> runs;
    /** Cumulative message counts: run {@code r} holds indexes {@code [ends[r-1], ends[r])}. */
    private final int[] ends;

    private Deliveries(List<Run> runs) {
        this.runs = runs;
        ends = new int[runs.size()];
        int n = 0;
        for (int r = 0; r < ends.length; r++) {
            n += runs.get(r).messages().count();
            ends[r] = n;
        }
    }

    public static Deliveries empty() {
        return EMPTY;
    }

    /** {@code deliveries} as runs, adjoining ones joined; the same object when it already is one. */
    public static Deliveries of(List<Delivery> deliveries) {
        if (deliveries instanceof Deliveries d) {
            return d;
        }
        Builder b = new Builder(deliveries.size());
        for (Delivery d : deliveries) {
            b.add(d.partition(), d.leaseEpoch(), d.deliveryCount(), MessageRun.of(d.message()));
        }
        return b.build();
    }

    /** The runs, in the order they were handed out. */
    public List<Run> runs() {
        return runs;
    }

    @Override
    public int size() {
        return ends.length == 0 ? 0 : ends[ends.length - 1];
    }

    @Override
    public Delivery get(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size());
        }
        int r = Arrays.binarySearch(ends, index);
        r = r >= 0 ? r + 1 : -r - 1; // the first run whose end is above index
        Run run = runs.get(r);
        Message m = run.messages().message(index - (r == 0 ? 0 : ends[r - 1]));
        return new Delivery(run.partition(), m.offset(), run.deliveryCount(), run.leaseEpoch(), m);
    }

    /**
     * Collects runs in order, joining one to the run before it when it continues it: same
     * partition, lease and delivery count, the next offset, the same timestamp, and records that
     * adjoin in one stored batch. Not thread-safe.
     */
    public static final class Builder {
        private final List<Run> runs;
        private Run last;

        Builder(int expectedRuns) {
            runs = new ArrayList<>(Math.min(expectedRuns, 64));
        }

        public Builder add(int partition, long leaseEpoch, int deliveryCount, MessageRun messages) {
            if (last != null && last.partition() == partition && last.leaseEpoch() == leaseEpoch
                    && last.deliveryCount() == deliveryCount && last.messages().nextOffset() == messages.firstOffset()
                    && last.messages().timestampMs() == messages.timestampMs()
                    && last.messages().records().adjoins(messages.records())) {
                MessageRun joined = new MessageRun(last.messages().firstOffset(), messages.timestampMs(),
                        last.messages().records().join(messages.records()));
                last = new Run(partition, leaseEpoch, deliveryCount, joined);
                return this;
            }
            if (last != null) {
                runs.add(last);
            }
            last = new Run(partition, leaseEpoch, deliveryCount, messages);
            return this;
        }

        public Deliveries build() {
            if (last != null) {
                runs.add(last);
                last = null;
            }
            return runs.isEmpty() ? EMPTY : new Deliveries(Collections.unmodifiableList(new ArrayList<>(runs)));
        }
    }
}
