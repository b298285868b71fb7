package io.semel.verify.checker.internal;

import java.util.List;

/**
 * Rules over the producers' sends. Not thread-safe.
 */
final class SendRules {
    private final HistoryIndex ix;

    SendRules(HistoryIndex ix) {
        this.ix = ix;
    }

    /**
     * send-reorder: per producer and partition, a confirmed send invoked after another confirmed send of the
     * same producer must have a higher offset. The harness invokes a producer's sends in the order it hands them
     * to the client (docs/verify.md), and the idempotent producer numbers and appends a partition's records in
     * that order; a producer that retries without sequence numbers may reorder, so the kind is fatal for
     * exactly-once only. The highest confirmed send per (producer, partition) is a {@link KeyTable} of send oks.
     */
    Finding.Collector reorders() {
        KeyTable highest = new KeyTable(1024);
        Finding.Collector out = new Finding.Collector();
        for (int s = 0; s < ix.orderId.size(); s++) {
            int ok = ix.orderOk.get(s);
            if (ok == HistoryIndex.NO_OK) {
                continue;
            }
            int producer = ix.orderProducer.get(s);
            long partition = ix.okPartition.get(ok);
            long offset = ix.okOffset.get(ok);
            int top = highest.get(producer, partition, 0);
            if (top != KeyTable.ABSENT && offset <= ix.okOffset.get(top)) {
                String id = ix.name(ix.okId.get(ok));
                String topId = ix.name(ix.okId.get(top));
                out.add(id, "producer " + ix.producers.name(producer) + " sent " + id + " after " + topId
                        + " but it was confirmed at " + partition + "/" + offset + ", not above "
                        + ix.okPartition.get(top) + "/" + ix.okOffset.get(top), List.of(id, topId));
            }
            if (top == KeyTable.ABSENT || offset > ix.okOffset.get(top)) {
                highest.put(producer, partition, 0, ok);
            }
        }
        return out;
    }
}
