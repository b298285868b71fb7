package io.semel.log.producer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forgotten producers of one partition ({@link ProducerStateTable}'s tombstones). A producer
 * whose state was evicted (or dropped by {@link ProducerStateTable#forget}) leaves a tombstone: its
 * id and the epoch its state had. Without one, a late copy of its first batch (base sequence 0)
 * would look like a new producer's first batch and be appended a second time. With one, a
 * sequence-0 batch of that producer at that epoch or older gets DEDUP_STATE_UNKNOWN; a newer epoch
 * is a new instance that INIT_PRODUCER told "no state here" (-1), so its sequence 0 starts over
 * legitimately and clears the tombstone. At most {@code max} tombstones are kept; the oldest one
 * dropped folds into an id floor: a producer at or below it without state is refused at sequence 0
 * too (loud, never a silent duplicate; such a producer needs a new name on this partition).
 *
 * <p>Not thread-safe: owned by its table.
 */
final class ProducerTombstones {
    private final int max;
    /** Producer id to the epoch its state had when forgotten, oldest first. */
    private final LinkedHashMap<Long, Short> byId = new LinkedHashMap<>();
    /** Producer ids at or below this had a tombstone that overflowed; -1 for none. */
    private long idFloor = -1;

    ProducerTombstones(int max) {
        this.max = max;
    }

    int max() {
        return max;
    }

    /** The epoch {@code producerId}'s state had when forgotten, or null when it has no tombstone. */
    Short epochOf(long producerId) {
        return byId.get(producerId);
    }

    /** Whether a batch of {@code producerId} at {@code epoch}, which has no state here, comes from a forgotten one. */
    boolean covers(long producerId, short epoch) {
        Short lostAtEpoch = byId.get(producerId);
        return lostAtEpoch != null ? epoch <= lostAtEpoch : producerId <= idFloor;
    }

    /** Leaves the tombstone of {@code producerId}, whose state had {@code epoch}; the oldest overflows into the floor. */
    void add(long producerId, short epoch) {
        byId.remove(producerId);
        if (byId.size() >= max) {
            Map.Entry<Long, Short> eldest = byId.entrySet().iterator().next();
            byId.remove(eldest.getKey());
            idFloor = Math.max(idFloor, eldest.getKey());
        }
        byId.put(producerId, epoch);
    }

    /** A newer instance of {@code producerId} started over here. */
    void clear(long producerId) {
        byId.remove(producerId);
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    /** Producer id to epoch, oldest first; a copy. */
    Map<Long, Short> asMap() {
        return new LinkedHashMap<>(byId);
    }

    List<ProducerStateTable.Snapshot.Forgotten> snapshot() {
        List<ProducerStateTable.Snapshot.Forgotten> out = new ArrayList<>(byId.size());
        byId.forEach((id, epoch) -> out.add(new ProducerStateTable.Snapshot.Forgotten(id, epoch)));
        return out;
    }

    long idFloor() {
        return idFloor;
    }

    /** Loads a snapshot's tombstones and floor into this empty set, as they were. */
    void restore(List<ProducerStateTable.Snapshot.Forgotten> forgotten, long floor) {
        idFloor = floor;
        for (ProducerStateTable.Snapshot.Forgotten f : forgotten) {
            byId.put(f.producerId(), f.epoch());
        }
    }
}
