package io.semel.verify.checker.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules over deliveries alone (no final read needed), from what the broker's group core may legally hand out
 * (docs/consumer-groups.md): per partition a poll gives due redeliveries (lowest offset first), then new
 * offsets from the group's next never-delivered offset, which only grows; every delivery is persisted before it
 * is replied, so a record's delivery count grows by one per delivery, across restarts too.
 *
 * <p>A <em>lease stream</em> is the deliveries of one partition to one consumer under one lease epoch, in
 * history order. One consumer's events reach the history in the order it made them (one poll thread; a killed
 * generation's lines all come before its kill), but two consumers' events may be reordered by the merge, so the
 * order-based rules compare deliveries of one consumer only.
 *
 * <p>The per-record and per-lease maps are {@link KeyTable}s over delivery indexes (28–75 bytes per key), built
 * by the rule that needs them and dropped after it. Not thread-safe.
 */
final class DeliveryRules {
    private final HistoryIndex ix;
    private final Deliveries ds;

    DeliveryRules(HistoryIndex ix) {
        this.ix = ix;
        this.ds = ix.deliveries;
    }

    private static String at(long partition, long offset) {
        return partition + "/" + offset;
    }

    private String consumer(int k) {
        return ix.consumers.name(ds.consumer(k));
    }

    /**
     * lost-write (Jepsen's Kafka workload): a confirmed send below the highest offset any delivery of its
     * partition reached, that no delivery ever carried. The group hands out offsets in order, so everything
     * below a delivered offset was handed out at least once, and an unsettled one again until it is settled.
     */
    Finding.Collector lostWrites() {
        Map<Long, Long> maxDelivered = new HashMap<>();
        for (int k = 0; k < ds.size(); k++) {
            maxDelivered.merge(ds.partition(k), ds.offset(k), Math::max);
        }
        Finding.Collector out = new Finding.Collector();
        for (int s = 0; s < ix.orderId.size(); s++) {
            int ok = ix.orderOk.get(s);
            if (ok == HistoryIndex.NO_OK || ix.delivered(ix.okId.get(ok)) > 0) {
                continue;
            }
            long partition = ix.okPartition.get(ok);
            long offset = ix.okOffset.get(ok);
            Long max = maxDelivered.get(partition);
            if (max != null && offset < max) {
                String id = ix.name(ix.okId.get(ok));
                out.add(id, "confirmed at " + at(partition, offset) + ", never delivered, although "
                        + at(partition, max) + " was", List.of(id));
            }
        }
        return out;
    }

    /**
     * poll-reorder: within one deliver event a partition's offsets must increase (due redeliveries lowest first,
     * then new offsets above all of them), and within one lease stream first deliveries (deliveryCount 1) must
     * increase: they come from the group's next offset, which never goes back.
     */
    Finding.Collector pollReorders() {
        Finding.Collector out = new Finding.Collector();
        KeyTable lastFirst = new KeyTable(1024);
        long current = -1;
        Map<Long, Integer> lastInEvent = new HashMap<>();
        for (int k = 0; k < ds.size(); k++) {
            if (ds.eventI(k) != current) {
                current = ds.eventI(k);
                lastInEvent.clear();
            }
            Integer prev = lastInEvent.put(ds.partition(k), k);
            if (prev != null && ds.offset(prev) >= ds.offset(k)) {
                out.add(at(ds.partition(k), ds.offset(k)), "event " + current + " delivers " + at(ds.partition(k),
                        ds.offset(k)) + " after " + at(ds.partition(prev), ds.offset(prev)) + " in the same poll",
                        List.of(ix.name(ds.id(k)), ix.name(ds.id(prev))));
            }
            if (ds.count(k) != 1) {
                continue;
            }
            int before = lastFirst.put(ds.consumer(k), ds.partition(k), ds.epoch(k), k);
            if (before != KeyTable.ABSENT && ds.offset(before) >= ds.offset(k)) {
                out.add(at(ds.partition(k), ds.offset(k)), consumer(k) + " lease " + ds.epoch(k) + ": first delivery of "
                        + at(ds.partition(k), ds.offset(k)) + " (event " + current + ") after the first delivery of "
                        + at(ds.partition(before), ds.offset(before)), List.of(ix.name(ds.id(k)), ix.name(ds.id(before))));
            }
        }
        return out;
    }

    /**
     * poll-skip: within one lease stream, consecutive first deliveries at o' and o &gt; o' + 1, where an offset
     * between them was never delivered to anyone in the whole history. (A delivery the consumer never recorded
     * — a lost poll reply, a kill — is redelivered later, so an offset that shows up anywhere is not a skip.)
     */
    Finding.Collector pollSkips() {
        KeyTable everDelivered = new KeyTable(ds.size());
        for (int k = 0; k < ds.size(); k++) {
            everDelivered.putIfAbsent(ds.partition(k), ds.offset(k), 0, k);
        }
        Finding.Collector out = new Finding.Collector();
        KeyTable lastFirst = new KeyTable(1024);
        for (int k = 0; k < ds.size(); k++) {
            if (ds.count(k) != 1) {
                continue;
            }
            int before = lastFirst.put(ds.consumer(k), ds.partition(k), ds.epoch(k), k);
            if (before == KeyTable.ABSENT || ds.offset(k) <= ds.offset(before) + 1) {
                continue;
            }
            long p = ds.partition(k);
            for (long x = ds.offset(before) + 1; x < ds.offset(k); x++) {
                if (everDelivered.get(p, x, 0) == KeyTable.ABSENT) {
                    out.add(at(p, x), consumer(k) + " lease " + ds.epoch(k) + " was first handed "
                            + at(ds.partition(before), ds.offset(before)) + ", then " + at(p, ds.offset(k))
                            + " (event " + ds.eventI(k) + "); " + at(p, x) + " was never delivered",
                            List.of(ix.name(ds.id(before)), ix.name(ds.id(k))));
                }
            }
        }
        return out;
    }

    /**
     * count-not-increasing: a redelivery (deliveryCount &gt; 1) of a record that does not carry a higher count
     * than the same consumer's earlier delivery of it, or that carries a count another delivery of the record
     * already carried. A count of 1 on a repeat is {@code redelivery-lie}'s case and left to it.
     */
    Finding.Collector countsNotIncreasing() {
        Finding.Collector out = new Finding.Collector();
        // (partition, offset, count) → the first delivery with that count; the key's third long is the count.
        KeyTable firstWithCount = new KeyTable(ds.size());
        // (partition, offset, consumer) → that consumer's last delivery of the record.
        KeyTable lastByConsumer = new KeyTable(ds.size());
        for (int k = 0; k < ds.size(); k++) {
            long p = ds.partition(k);
            long o = ds.offset(k);
            int count = ds.count(k);
            int sameCount = firstWithCount.putIfAbsent(p, o, count, k);
            int last = lastByConsumer.put(p, o, ds.consumer(k), k);
            if (count == 1) {
                continue;
            }
            String record = at(p, o);
            if (last != KeyTable.ABSENT && count <= ds.count(last)) {
                out.add(record, consumer(k) + " got " + record + " with deliveryCount " + count
                        + " (event " + ds.eventI(k) + ") after deliveryCount " + ds.count(last), List.of(ix.name(ds.id(k))));
            } else if (sameCount != KeyTable.ABSENT) {
                out.add(record, record + " delivered twice with deliveryCount " + count + " (to "
                        + consumer(sameCount) + ", then to " + consumer(k) + " at event " + ds.eventI(k) + ")",
                        List.of(ix.name(ds.id(k))));
            }
        }
        return out;
    }

    /**
     * redelivery-lie: a delivery count belongs to a log record, so a repeat is the same (partition, offset) seen
     * again; the same id at another offset is a log duplicate (dup-log), not a redelivery. Only one delivery of a
     * record can be its first: a second deliveryCount=1 is the lie, in whatever order the history recorded them
     * (a paused consumer records its count-1 poll after another member's count-2 one). Keyed by message id.
     */
    Map<String, String> redeliveryLies() {
        KeyTable firstDelivery = new KeyTable(ds.size());
        Map<String, String> lies = new HashMap<>();
        for (int k = 0; k < ds.size(); k++) {
            if (ds.count(k) != 1) {
                continue;
            }
            int earlier = firstDelivery.putIfAbsent(ds.partition(k), ds.offset(k), 0, k);
            if (earlier != KeyTable.ABSENT) {
                lies.putIfAbsent(ix.name(ds.id(k)), "partition/offset " + at(ds.partition(k), ds.offset(k))
                        + " delivered with deliveryCount=1 at event " + ds.eventI(earlier) + " and again at event "
                        + ds.eventI(k));
            }
        }
        return lies;
    }
}
