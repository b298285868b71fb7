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
    /** Slot objects in the ring. */
    private int size;
    /** Counts per state, fresh offsets included (as DELIVERED). */
    private final int[] counts = new int[SlotState.values().length];
    /**
     * Fresh runs, oldest first: first deliveries handed out together ({@link #addFresh}) that have
     * no slot object yet, all above every slot in the ring. An in-order ack of a whole run settles
     * it without ever making one ({@link #takeFresh}); anything else that touches a fresh offset
     * makes the objects first ({@link #materialize}), so the rest of the table sees slots only.
     */
    private final java.util.ArrayDeque<FreshRun> fresh = new java.util.ArrayDeque<>();
    /** Offsets in {@link #fresh}. */
    private int freshSize;

    /**
     * Consecutive first deliveries under one lease with one ack deadline: DELIVERED slots of
     * {@code [first, end)} with deliveryCount 1, no releases, that exist only as this run.
     */
    private static final class FreshRun {
        long first;
        long end;
        final long leaseEpoch;
        final long ackDeadlineMs;

        FreshRun(long first, long end, long leaseEpoch, long ackDeadlineMs) {
            this.first = first;
            this.end = end;
            this.leaseEpoch = leaseEpoch;
            this.ackDeadlineMs = ackDeadlineMs;
        }
    }

    /** Slots, fresh offsets included. */
    int size() {
        return size + freshSize;
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** Slots in {@code state}: O(1). */
    int count(SlotState state) {
        return counts[state.ordinal()];
    }

    /** The slot of {@code offset}, or null; a fresh offset gets its object first. */
    DeliverySlot get(long offset) {
        if (freshSize > 0 && offset >= fresh.peekFirst().first) {
            materialize();
        }
        return inRing(offset);
    }

    private DeliverySlot inRing(long offset) {
        if (offset < low || offset >= high) {
            return null;
        }
        return ring[(int) (offset & (ring.length - 1))];
    }

    /** Lowest offset with a slot; only when not empty. */
    long firstOffset() {
        assert size() > 0 : "firstOffset of an empty table";
        return size > 0 ? low : fresh.peekFirst().first;
    }

    /** Highest offset with a slot; only when not empty. */
    long lastOffset() {
        assert size() > 0 : "lastOffset of an empty table";
        return freshSize > 0 ? fresh.peekLast().end - 1 : high - 1;
    }

    /**
     * First deliveries of offsets {@code [first, first + count)}, above every slot, DELIVERED under
     * {@code leaseEpoch} until {@code ackDeadlineMs}: kept as a run, with no object per offset.
     */
    void addFresh(long first, int count, long leaseEpoch, long ackDeadlineMs) {
        long top = freshSize > 0 ? fresh.peekLast().end : size > 0 ? high : Long.MIN_VALUE;
        if (count < 1 || first < top) {
            throw new IllegalStateException("fresh offsets " + first + " (" + count + ") not above every slot (next "
                    + top + ")");
        }
        long span = first + count - (size > 0 ? low : freshSize > 0 ? fresh.peekFirst().first : first);
        if (span > SPAN_MAX) {
            throw new IllegalStateException("in-flight offsets would span " + span + ", more than SPAN_MAX " + SPAN_MAX
                    + "; the delivery window should have bounded it");
        }
        FreshRun last = fresh.peekLast();
        if (last != null && last.end == first && last.leaseEpoch == leaseEpoch && last.ackDeadlineMs == ackDeadlineMs) {
            last.end += count;
        } else {
            fresh.addLast(new FreshRun(first, first + count, leaseEpoch, ackDeadlineMs));
        }
        freshSize += count;
        counts[SlotState.DELIVERED.ordinal()] += count;
    }

    /**
     * Settles {@code [first, last]} if it is exactly the lowest fresh offsets, all under
     * {@code leaseEpoch}: they leave the table without an object ever made (an ack of a batch in
     * order). False, and nothing changed, otherwise.
     */
    boolean takeFresh(long first, long last, long leaseEpoch) {
        if (freshSize == 0 || size > 0 || fresh.peekFirst().first != first || last < first) {
            return false;
        }
        long covered = first;
        for (FreshRun r : fresh) {
            if (r.leaseEpoch != leaseEpoch || r.first != covered) {
                return false;
            }
            covered = r.end;
            if (covered > last) {
                break;
            }
        }
        if (covered <= last) {
            return false;
        }
        long taken = last - first + 1;
        long from = last + 1;
        while (!fresh.isEmpty() && fresh.peekFirst().end <= from) {
            fresh.pollFirst();
        }
        if (!fresh.isEmpty() && fresh.peekFirst().first < from) {
            fresh.peekFirst().first = from;
        }
        freshSize -= (int) taken;
        counts[SlotState.DELIVERED.ordinal()] -= (int) taken;
        return true;
    }

    /** The lowest fresh offset, or Long.MAX_VALUE without any. */
    long freshFirst() {
        return freshSize > 0 ? fresh.peekFirst().first : Long.MAX_VALUE;
    }

    /** Every fresh run was delivered under {@code leaseEpoch}, and there are none unless {@code held}. */
    boolean freshUnder(long leaseEpoch, boolean held) {
        for (FreshRun r : fresh) {
            if (r.leaseEpoch != leaseEpoch || !held) {
                return false;
            }
        }
        return true;
    }

    /** Whether a fresh offset's ack deadline has come by {@code nowMs}. */
    boolean freshExpiredBy(long nowMs) {
        for (FreshRun r : fresh) {
            if (r.ackDeadlineMs <= nowMs) {
                return true;
            }
        }
        return false;
    }

    /** Gives every fresh offset its slot object (DELIVERED, count 1, its run's lease and deadline). */
    void materialize() {
        if (freshSize == 0) {
            return;
        }
        counts[SlotState.DELIVERED.ordinal()] -= freshSize; // add() counts them again
        freshSize = 0;
        while (!fresh.isEmpty()) {
            FreshRun r = fresh.pollFirst();
            for (long o = r.first; o < r.end; o++) {
                DeliverySlot s = new DeliverySlot(o, SlotState.DELIVERED, 1);
                s.leaseEpoch = r.leaseEpoch;
                s.ackDeadlineMs = r.ackDeadlineMs;
                addToRing(s);
            }
        }
    }

    /** Adds a slot for an offset that has none. */
    void add(DeliverySlot s) {
        materialize();
        addToRing(s);
    }

    private void addToRing(DeliverySlot s) {
        if (s.table != null || inRing(s.offset) != null) {
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
        DeliverySlot s = get(offset); // a fresh offset gets its object first
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
        fresh.clear();
        freshSize = 0;
        for (DeliverySlot s : ringSlots()) {
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
     * The slots in offset order, fresh offsets given their objects first. Slots may change state
     * during the iteration but must not be added or removed (checked).
     */
    @Override
    public Iterator<DeliverySlot> iterator() {
        materialize();
        return ringIterator();
    }

    /**
     * The slots in {@code state}, in offset order. Fresh runs are DELIVERED, so only
     * {@code inState(DELIVERED)} gives fresh offsets their objects; any other state is found among the
     * objects alone, and a scan for due or dead-lettered slots leaves fresh runs as runs (so the
     * in-order ack that follows still settles a run whole: a member fetching ahead polls while its
     * last batch is unacked). Slots may change state during the iteration (each is tested when the
     * iteration reaches it) but must not be added or removed (checked).
     */
    Iterable<DeliverySlot> inState(SlotState state) {
        return () -> {
            Iterator<DeliverySlot> all = state == SlotState.DELIVERED ? iterator() : ringIterator();
            return new Iterator<>() {
                private DeliverySlot next;

                @Override
                public boolean hasNext() {
                    while (next == null && all.hasNext()) {
                        DeliverySlot s = all.next();
                        next = s.state() == state ? s : null;
                    }
                    return next != null;
                }

                @Override
                public DeliverySlot next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    DeliverySlot s = next;
                    next = null;
                    return s;
                }
            };
        };
    }

    /**
     * The slot objects only, in offset order: fresh offsets are not among them. For the ack-timeout
     * scan, which looks at fresh runs by their deadline ({@link #freshExpiredBy}), and for checks.
     */
    Iterable<DeliverySlot> ringSlots() {
        return this::ringIterator;
    }

    private Iterator<DeliverySlot> ringIterator() {
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
        long top = size > 0 ? high : Long.MIN_VALUE;
        int freshCounted = 0;
        for (FreshRun r : fresh) {
            assert r.first < r.end && r.first >= top : "fresh run [" + r.first + ", " + r.end + ") not above " + top;
            top = r.end;
            freshCounted += (int) (r.end - r.first);
        }
        assert freshCounted == freshSize : "freshSize " + freshSize + " but runs hold " + freshCounted;
        assert size == 0 || (high - low <= ring.length && inRing(low) != null && inRing(high - 1) != null)
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
        recount[SlotState.DELIVERED.ordinal()] += freshSize;
        assert Arrays.equals(recount, counts) : "state counts " + Arrays.toString(counts)
                + " but recounted " + Arrays.toString(recount) + " (order " + Arrays.toString(
                        SlotState.values()) + ")";
        return true;
    }
}
