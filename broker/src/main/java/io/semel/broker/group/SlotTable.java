package io.semel.broker.group;

import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The in-flight slots of one partition, by offset, with a count per {@link SlotState}. Not
 * thread-safe; owned by its {@link PartitionProgress}.
 *
 * <p>Why not a {@code TreeMap}: slots are dense in {@code [ackFloor, nextOffset)} (new offsets are
 * added at the top, acks mostly remove at the bottom), and that span is bounded by
 * {@link GroupConfig#deliveryWindowMax}. A ring indexed by {@code offset & mask} makes get, add and
 * remove O(1) without boxing or rebalancing, which the coordinator pays for every message handed
 * out and every ack. The per-state counts make "how many unacked" and "is anything due" O(1)
 * instead of a scan of every slot on every poll.
 *
 * <p>Layout: every slot has an offset in {@code [low, high)}, {@code high - low <= ring.length}
 * (a power of two), and sits at {@code ring[offset & (ring.length - 1)]}; every other ring entry
 * is null. The ring doubles when a slot would make the span longer than the ring, up to
 * {@link #SPAN_MAX} offsets; it never shrinks except on {@link #clear} (it is bounded by the
 * largest window the partition ever had in flight).
 *
 * <p>Counts: a slot's state changes only through {@link DeliverySlot#moveTo}, which reports the
 * change here while the slot is in the table ({@link DeliverySlot#table}), so no caller can
 * forget to update them; {@link #checkInvariants} recounts.
 */
final class SlotTable implements Iterable<DeliverySlot> {
    /** Ring entries allocated for a partition's first slot. */
    static final int CAPACITY_MIN = 16;
    /**
     * Longest offset span the table holds. Far above any delivery window a group can use (the
     * window is an int, but a partition's table at this span already takes 4 GiB of references);
     * reaching it means a bug, not load.
     */
    static final int SPAN_MAX = 1 << 30;

    private DeliverySlot[] ring = new DeliverySlot[0];
    private long low;
    private long high;
    private int size;
    private final int[] counts = new int[SlotState.values().length];

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Slots in {@code state}: O(1). */
    int count(SlotState state) {
        return counts[state.ordinal()];
    }

    DeliverySlot get(long offset) {
        if (offset < low || offset >= high) {
            return null;
        }
        return ring[(int) (offset & (ring.length - 1))];
    }

    /** Lowest offset with a slot; only when not empty. */
    long firstOffset() {
        assert size > 0 : "firstOffset of an empty table";
        return low;
    }

    /** Highest offset with a slot; only when not empty. */
    long lastOffset() {
        assert size > 0 : "lastOffset of an empty table";
        return high - 1;
    }

    /** Adds a slot for an offset that has none. */
    void add(DeliverySlot s) {
        if (s.table != null || get(s.offset) != null) {
            throw new IllegalStateException("offset " + s.offset + " already has a slot");
        }
        if (size == 0) {
            low = s.offset;
            high = s.offset + 1;
        }
        long newLow = Math.min(low, s.offset);
        long newHigh = Math.max(high, s.offset + 1);
        if (newHigh - newLow > ring.length) {
            grow(newLow, newHigh);
        }
        low = newLow;
        high = newHigh;
        ring[(int) (s.offset & (ring.length - 1))] = s;
        s.table = this;
        size++;
        counts[s.state().ordinal()]++;
    }

    /** Removes and returns the slot of {@code offset}, or null if it has none. */
    DeliverySlot remove(long offset) {
        DeliverySlot s = get(offset);
        if (s == null) {
            return null;
        }
        ring[(int) (offset & (ring.length - 1))] = null;
        s.table = null;
        size--;
        counts[s.state().ordinal()]--;
        if (size == 0) {
            low = high = 0;
        } else {
            // Keep [low, high) tight, so get() stays a range check and the span tracks the window.
            // Amortised O(1): each offset is stepped over once between its add and the next one.
            while (ring[(int) (low & (ring.length - 1))] == null) {
                low++;
            }
            while (ring[(int) ((high - 1) & (ring.length - 1))] == null) {
                high--;
            }
        }
        return s;
    }

    /** Forgets every slot (RESET_GROUP) and gives the ring back. */
    void clear() {
        for (DeliverySlot s : this) {
            s.table = null;
        }
        ring = new DeliverySlot[0];
        low = high = 0;
        size = 0;
        Arrays.fill(counts, 0);
    }

    /** Called by {@link DeliverySlot#moveTo} for a slot in this table. */
    void moved(SlotState from, SlotState to) {
        counts[from.ordinal()]--;
        counts[to.ordinal()]++;
    }

    private void grow(long newLow, long newHigh) {
        long span = newHigh - newLow;
        if (span > SPAN_MAX) {
            throw new IllegalStateException("in-flight offsets [" + newLow + ", " + newHigh + ") span " + span
                    + " offsets, more than SPAN_MAX " + SPAN_MAX + "; the delivery window should have bounded it");
        }
        int capacity = Math.max(CAPACITY_MIN, Integer.highestOneBit((int) span - 1) << 1);
        DeliverySlot[] grown = new DeliverySlot[capacity];
        for (long o = low; o < high && size > 0; o++) {
            grown[(int) (o & (capacity - 1))] = ring[(int) (o & (ring.length - 1))];
        }
        ring = grown;
    }

    /**
     * The slots in offset order. Slots may change state during the iteration but must not be added
     * or removed (checked).
     */
    @Override
    public Iterator<DeliverySlot> iterator() {
        return new Iterator<>() {
            private long next = size == 0 ? high : low;
            private final int expectedSize = size;

            @Override
            public boolean hasNext() {
                if (size != expectedSize) {
                    throw new ConcurrentModificationException("slot table changed during iteration");
                }
                return next < high;
            }

            @Override
            public DeliverySlot next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                DeliverySlot s = ring[(int) (next & (ring.length - 1))];
                next++;
                while (next < high && ring[(int) (next & (ring.length - 1))] == null) {
                    next++;
                }
                return s;
            }
        };
    }

    /** Recounts sizes and states and checks the layout; for {@code assert} under {@code -ea}. */
    boolean checkInvariants() {
        assert ring.length == 0 || Integer.bitCount(ring.length) == 1 : "ring length " + ring.length;
        assert size == 0 || (high - low <= ring.length && get(low) != null && get(high - 1) != null)
                : "span [" + low + ", " + high + ") not tight in a ring of " + ring.length;
        int[] recount = new int[counts.length];
        int n = 0;
        for (int i = 0; i < ring.length; i++) {
            DeliverySlot s = ring[i];
            if (s != null) {
                assert s.offset >= low && s.offset < high && (s.offset & (ring.length - 1)) == i
                        : "slot " + s.offset + " at ring index " + i + " outside [" + low + ", " + high + ")";
                assert s.table == this : "slot " + s.offset + " does not report to this table";
                recount[s.state().ordinal()]++;
                n++;
            }
        }
        assert n == size : "size " + size + " but " + n + " slots";
        assert Arrays.equals(recount, counts) : "state counts " + Arrays.toString(counts)
                + " but recounted " + Arrays.toString(recount) + " (order " + Arrays.toString(
                        SlotState.values()) + ")";
        return true;
    }
}
