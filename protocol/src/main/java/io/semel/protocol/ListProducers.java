package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * LIST_PRODUCERS (api key 15): the broker's registered idempotent producers and, per partition
 * where it has dedup state for them, the last sequence, for {@code semel producers list}.
 *
 * <pre>
 * Request              type              meaning
 * -------------------  ----------------  -----------------------------------------------------
 * namePrefix           string            only names starting with it ("" = all)
 * limit                int32             most producers answered, 1..{@value #LIMIT_MAX}
 *
 * Response             type              meaning (default in an error frame)
 * -------------------  ----------------  -----------------------------------------------------
 * error, errorMessage  int16, string?    see {@link ApiResponse}
 * matching             int32             producers matching the prefix, also beyond the limit (0)
 * producers            [Producer]        by ascending producer id, at most limit ([])
 *   producerId         int64
 *   name               string
 *   epoch              int16             current epoch
 *   lastActiveMs       int64             broker wall clock of its last INIT_PRODUCER or PRODUCE
 *   expired            boolean           idle past producerIdleExpiryMs: its batches get DEDUP_STATE_UNKNOWN
 *   partitions         [PartitionState]  where the broker holds its dedup state
 *     topic            string
 *     partition        int32
 *     highestSequence  int64             last persisted sequence
 *     lastTimestampMs  int64             newest batch timestamp (the producer's clock)
 * </pre>
 */
public final class ListProducers {
    /** Most producers one answer carries (it must fit a frame). */
    public static final int LIMIT_MAX = 1_000;

    private ListProducers() {
    }

    public record PartitionState(String topic, int partition, long highestSequence, long lastTimestampMs) {
        public PartitionState {
            Check.notNull(topic, "topic");
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
        }
    }

    public record Producer(long producerId, String name, short epoch, long lastActiveMs, boolean expired,
            List<PartitionState> partitions) {
        public Producer {
            Check.notNull(name, "name");
            partitions = List.copyOf(partitions);
        }
    }

    public record Request(String namePrefix, int limit) implements ApiRequest {
        public Request {
            Check.notNull(namePrefix, "namePrefix");
            Check.range("limit", limit, 1, LIMIT_MAX);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.LIST_PRODUCERS;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(namePrefix).writeInt32(limit);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("namePrefix"), r.readInt32("limit", 1, LIMIT_MAX));
        }
    }

    public record Response(ErrorCode error, String errorMessage, int matching, List<Producer> producers)
            implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            producers = List.copyOf(producers);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, 0, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.LIST_PRODUCERS;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeInt32(matching).writeCount(producers.size());
            for (Producer p : producers) {
                w.writeInt64(p.producerId()).writeString(p.name()).writeInt16(p.epoch()).writeInt64(p.lastActiveMs())
                        .writeBoolean(p.expired()).writeCount(p.partitions().size());
                for (PartitionState s : p.partitions()) {
                    w.writeString(s.topic()).writeInt32(s.partition()).writeInt64(s.highestSequence())
                            .writeInt64(s.lastTimestampMs());
                }
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int matching = r.readInt32("matching", 0, Integer.MAX_VALUE);
            int count = r.readCount(22);
            List<Producer> producers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long id = r.readInt64();
                String name = r.readString("name");
                short epoch = r.readInt16();
                long lastActiveMs = r.readInt64();
                boolean expired = r.readBoolean();
                int parts = r.readCount(22);
                List<PartitionState> states = new ArrayList<>(parts);
                for (int j = 0; j < parts; j++) {
                    states.add(new PartitionState(r.readString("topic"),
                            r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1), r.readInt64(),
                            r.readInt64()));
                }
                producers.add(new Producer(id, name, epoch, lastActiveMs, expired, states));
            }
            return new Response(error, message, matching, producers);
        }
    }
}
