package io.semel.verify.checker.reference;

import io.semel.verify.history.Delivery;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.HistoryEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Rules over deliveries alone (no final read needed), from what the broker's group core may legally hand out
 * (docs/consumer-groups.md): per partition a poll gives due redeliveries (lowest offset first), then new
 * offsets from the group's next never-delivered offset, which only grows; every delivery is persisted before it
 * is replied, so a record's delivery count grows by one per delivery, across restarts too.
 *
 * <p>A <em>lease stream</em> is the deliveries of one partition to one consumer under one lease epoch, in
 * history order. One consumer's events reach the history in the order it made them (one poll thread; a killed
 * generation's lines all come before its kill), but two consumers' events may be reordered by the merge, so the
 * order-based rules compare deliveries of one consumer only. Not thread-safe.
 */
final class DeliveryRules {
    private final HistoryIndex ix;

    DeliveryRules(HistoryIndex ix) {
        this.ix = ix;
    }

    private record LeaseKey(String consumer, long partition, long epoch) {
    }

    private static long epochOf(Delivery d, HistoryEvent e) {
        return d.leaseEpoch() != EventValue.UNASSIGNED ? d.leaseEpoch() : ((EventValue.Deliver) e.value()).epoch();
    }

    private record ConsumerRecord(String consumer, HistoryIndex.Position record) {
    }

    private record RecordCount(HistoryIndex.Position record, int deliveryCount) {
    }

    private static HistoryIndex.Position position(Delivery d) {
        return new HistoryIndex.Position(d.partition(), d.offset());
    }

    private static String at(long partition, long offset) {
        return partition + "/" + offset;
    }

    /**
     * lost-write (Jepsen's Kafka workload): a confirmed send below the highest offset any delivery of its
     * partition reached, that no delivery ever carried. The group hands out offsets in order, so everything
     * below a delivered offset was handed out at least once, and an unsettled one again until it is settled.
     */
    SortedMap<String, Finding> lostWrites() {
        Map<Long, Long> maxDelivered = new HashMap<>();
        for (HistoryIndex.DeliveryAt d : ix.deliveries) {
            maxDelivered.merge(d.delivery().partition(), d.delivery().offset(), Math::max);
        }
        Finding.Collector out = new Finding.Collector();
        for (HistoryIndex.SendAt s : ix.sendOrder) {
            EventValue.Send ok = s.confirmed();
            if (ok == null || ix.delivered.contains(ok.id())) {
                continue;
            }
            Long max = maxDelivered.get(ok.partition());
            if (max != null && ok.offset() < max) {
                out.add(ok.id(), "confirmed at " + at(ok.partition(), ok.offset()) + ", never delivered, although "
                        + at(ok.partition(), max) + " was", List.of(ok.id()));
            }
        }
        return out.findings();
    }

    /**
     * poll-reorder: within one deliver event a partition's offsets must increase (due redeliveries lowest first,
     * then new offsets above all of them), and within one lease stream first deliveries (deliveryCount 1) must
     * increase: they come from the group's next offset, which never goes back.
     */
    SortedMap<String, Finding> pollReorders() {
        Finding.Collector out = new Finding.Collector();
        Map<LeaseKey, Delivery> lastFirst = new HashMap<>();
        HistoryEvent current = null;
        Map<Long, Delivery> lastInEvent = new HashMap<>();
        for (HistoryIndex.DeliveryAt at : ix.deliveries) {
            Delivery d = at.delivery();
            if (at.event() != current) {
                current = at.event();
                lastInEvent.clear();
            }
            Delivery prev = lastInEvent.put(d.partition(), d);
            if (prev != null && prev.offset() >= d.offset()) {
                out.add(at(d.partition(), d.offset()), "event " + current.i() + " delivers " + at(d.partition(),
                        d.offset()) + " after " + at(prev.partition(), prev.offset()) + " in the same poll",
                        List.of(d.id(), prev.id()));
            }
            if (d.deliveryCount() != 1) {
                continue;
            }
            LeaseKey key = new LeaseKey(((EventValue.Deliver) current.value()).consumer(), d.partition(),
                    epochOf(d, current));
            Delivery before = lastFirst.put(key, d);
            if (before != null && before.offset() >= d.offset()) {
                out.add(at(d.partition(), d.offset()), key.consumer() + " lease " + key.epoch() + ": first delivery of "
                        + at(d.partition(), d.offset()) + " (event " + current.i() + ") after the first delivery of "
                        + at(before.partition(), before.offset()), List.of(d.id(), before.id()));
            }
        }
        return out.findings();
    }

    /**
     * poll-skip: within one lease stream, consecutive first deliveries at o' and o &gt; o' + 1, where an offset
     * between them was never delivered to anyone in the whole history. (A delivery the consumer never recorded
     * — a lost poll reply, a kill — is redelivered later, so an offset that shows up anywhere is not a skip.)
     */
    SortedMap<String, Finding> pollSkips() {
        Set<HistoryIndex.Position> everDelivered = new HashSet<>();
        ix.deliveries.forEach(d -> everDelivered.add(position(d.delivery())));
        Finding.Collector out = new Finding.Collector();
        Map<LeaseKey, Delivery> lastFirst = new HashMap<>();
        for (HistoryIndex.DeliveryAt at : ix.deliveries) {
            Delivery d = at.delivery();
            if (d.deliveryCount() != 1) {
                continue;
            }
            LeaseKey key = new LeaseKey(((EventValue.Deliver) at.event().value()).consumer(), d.partition(),
                    epochOf(d, at.event()));
            Delivery before = lastFirst.put(key, d);
            if (before == null || d.offset() <= before.offset() + 1) {
                continue;
            }
            for (long x = before.offset() + 1; x < d.offset(); x++) {
                if (!everDelivered.contains(new HistoryIndex.Position(d.partition(), x))) {
                    out.add(at(d.partition(), x), key.consumer() + " lease " + key.epoch() + " was first handed "
                            + at(before.partition(), before.offset()) + ", then " + at(d.partition(), d.offset())
                            + " (event " + at.event().i() + "); " + at(d.partition(), x) + " was never delivered",
                            List.of(before.id(), d.id()));
                }
            }
        }
        return out.findings();
    }

    /**
     * count-not-increasing: a redelivery (deliveryCount &gt; 1) of a record that does not carry a higher count
     * than the same consumer's earlier delivery of it, or that carries a count another delivery of the record
     * already carried. A count of 1 on a repeat is {@code redelivery-lie}'s case and left to it.
     */
    SortedMap<String, Finding> countsNotIncreasing() {
        Finding.Collector out = new Finding.Collector();
        Map<RecordCount, String> firstWithCount = new HashMap<>();
        Map<ConsumerRecord, Integer> lastByConsumerRecord = new HashMap<>();
        for (HistoryIndex.DeliveryAt at : ix.deliveries) {
            Delivery d = at.delivery();
            HistoryIndex.Position record = position(d);
            String consumer = ((EventValue.Deliver) at.event().value()).consumer();
            String sameCount = firstWithCount.putIfAbsent(new RecordCount(record, d.deliveryCount()), consumer);
            Integer last = lastByConsumerRecord.put(new ConsumerRecord(consumer, record), d.deliveryCount());
            if (d.deliveryCount() == 1) {
                continue;
            }
            if (last != null && d.deliveryCount() <= last) {
                out.add(record.toString(), consumer + " got " + record + " with deliveryCount " + d.deliveryCount()
                        + " (event " + at.event().i() + ") after deliveryCount " + last, List.of(d.id()));
            } else if (sameCount != null) {
                out.add(record.toString(), record + " delivered twice with deliveryCount " + d.deliveryCount() + " (to "
                        + sameCount + ", then to " + consumer + " at event " + at.event().i() + ")", List.of(d.id()));
            }
        }
        return out.findings();
    }
}
