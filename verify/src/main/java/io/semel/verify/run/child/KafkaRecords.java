package io.semel.verify.run.child;

import io.semel.verify.history.Delivery;
import io.semel.verify.run.AddMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** The Kafka engine's mapping of Kafka records to history values. Stateless. */
public final class KafkaRecords {
    private KafkaRecords() {
    }

    /** The record's message id: its {@code semel.id} header, else the id inside its value. */
    public static String id(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(AddMessage.ID_HEADER);
        return h != null ? new String(h.value(), StandardCharsets.UTF_8) : AddMessage.decodeValue(r.value()).id();
    }

    /** Deliveries of a plain consumer: Kafka keeps no delivery count, so each says 1 under the group generation. */
    static List<Delivery> deliveries(List<ConsumerRecord<byte[], byte[]>> batch, long generation) {
        List<Delivery> out = new ArrayList<>(batch.size());
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            out.add(new Delivery(id(r), r.partition(), r.offset(), 1, generation));
        }
        return out;
    }

    /** Per partition, one past the highest offset of the batch. */
    static Map<Integer, Long> nextOffsets(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<Integer, Long> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            out.merge(r.partition(), r.offset() + 1, Math::max);
        }
        return out;
    }
}
