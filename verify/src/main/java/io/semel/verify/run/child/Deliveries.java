package io.semel.verify.run.child;

import io.semel.client.Message;
import io.semel.protocol.Header;
import io.semel.verify.history.Delivery;
import io.semel.verify.run.AddMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Helpers turning client messages into history values. */
public final class Deliveries {
    private Deliveries() {
    }

    /** The message's id: its {@code semel.id} header, else the id inside its value. */
    public static String idOf(List<Header> headers, byte[] value) {
        if (headers != null) {
            for (Header h : headers) {
                if (AddMessage.ID_HEADER.equals(h.key())) {
                    return h.valueAsString();
                }
            }
        }
        return AddMessage.decodeValue(value).id();
    }

    static List<Delivery> of(List<Message> batch) {
        List<Delivery> out = new ArrayList<>(batch.size());
        for (Message m : batch) {
            out.add(new Delivery(idOf(m.headers(), m.value()), m.partition(), m.offset(), m.deliveryCount(),
                    m.leaseEpoch()));
        }
        return out;
    }

    static List<String> ids(List<Message> batch) {
        return batch.stream().map(m -> idOf(m.headers(), m.value())).toList();
    }

    static long epoch(List<Message> batch) {
        return batch.stream().mapToLong(Message::leaseEpoch).max().orElse(0);
    }

    /** Per partition, the offset after the highest one in {@code batch}. */
    static Map<Integer, Long> nextOffsets(List<Message> batch) {
        Map<Integer, Long> out = new TreeMap<>();
        for (Message m : batch) {
            out.merge(m.partition(), m.offset() + 1, Math::max);
        }
        return out;
    }
}
