package io.semel.verify.checker.internal;

/**
 * Every delivered message of every {@code deliver ok}, in history order, as parallel primitive arrays: 44 bytes
 * per delivered message (id, consumer and count as ints; partition, offset, lease epoch and the event's
 * {@code i} as longs) instead of a {@code Delivery} record, its id string and a holder object. Not thread-safe.
 */
final class Deliveries {
    private final IntList id = new IntList();
    private final LongList partition = new LongList();
    private final LongList offset = new LongList();
    private final IntList count = new IntList();
    private final LongList epoch = new LongList();
    private final IntList consumer = new IntList();
    private final LongList eventI = new LongList();

    /** @param leaseEpoch the message's lease epoch, or the event's epoch when the message has none */
    void add(int idNo, long p, long o, int deliveryCount, long leaseEpoch, int consumerNo, long i) {
        id.add(idNo);
        partition.add(p);
        offset.add(o);
        count.add(deliveryCount);
        epoch.add(leaseEpoch);
        consumer.add(consumerNo);
        eventI.add(i);
    }

    int size() {
        return id.size();
    }

    int id(int k) {
        return id.get(k);
    }

    long partition(int k) {
        return partition.get(k);
    }

    long offset(int k) {
        return offset.get(k);
    }

    int count(int k) {
        return count.get(k);
    }

    long epoch(int k) {
        return epoch.get(k);
    }

    int consumer(int k) {
        return consumer.get(k);
    }

    /** The {@code i} of the deliver event; messages of one event share it. */
    long eventI(int k) {
        return eventI.get(k);
    }
}
