package io.semel.verify.checker.reference;

import io.semel.verify.history.EventValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Rules over the producers' sends. Not thread-safe.
 */
final class SendRules {
    private final HistoryIndex ix;

    SendRules(HistoryIndex ix) {
        this.ix = ix;
    }

    private record Key(String producer, long partition) {
    }

    /**
     * send-reorder: per producer and partition, a confirmed send invoked after another confirmed send of the
     * same producer must have a higher offset. The harness invokes a producer's sends in the order it hands them
     * to the client (docs/verify.md), and the idempotent producer numbers and appends a partition's records in
     * that order; a producer that retries without sequence numbers may reorder, so the kind is fatal for
     * exactly-once only.
     */
    SortedMap<String, Finding> reorders() {
        Map<Key, EventValue.Send> highest = new HashMap<>();
        Finding.Collector out = new Finding.Collector();
        for (HistoryIndex.SendAt s : ix.sendOrder) {
            EventValue.Send ok = s.confirmed();
            if (ok == null) {
                continue;
            }
            Key key = new Key(s.producer(), ok.partition());
            EventValue.Send top = highest.get(key);
            if (top != null && ok.offset() <= top.offset()) {
                out.add(ok.id(), "producer " + s.producer() + " sent " + ok.id() + " after " + top.id() + " but it was "
                        + "confirmed at " + ok.partition() + "/" + ok.offset() + ", not above " + top.partition() + "/"
                        + top.offset(), List.of(ok.id(), top.id()));
            }
            if (top == null || ok.offset() > top.offset()) {
                highest.put(key, ok);
            }
        }
        return out.findings();
    }
}
