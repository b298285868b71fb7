package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * INIT_PRODUCER (api key 5): registers an idempotent producer by stable name for one topic. A
 * stable name keeps its producer id. A new instance sends {@code currentEpoch = -1}: the epoch is
 * bumped, which fences older instances ({@code PRODUCER_FENCED} on their next produce). An instance
 * that already holds an epoch and starts writing another topic sends that epoch: nothing is bumped,
 * so its in-flight batches on other topics stay valid; if a newer instance exists it gets
 * {@code PRODUCER_FENCED}. Sequences continue across epochs, so the response says where each
 * partition's sequence stands.
 *
 * <pre>
 * Request              type                  meaning
 * -------------------  --------------------  -------------------------------------------------
 * producerName         string                stable identity chosen by the application
 * topic                string                topic whose partitions' sequences are returned
 * currentEpoch         int16                 -1: new instance, bump the epoch; else the epoch held
 * instanceToken        int64                 random per producer instance, 0 = none; see below
 *
 * Response             type                  meaning (default in an error frame)
 * -------------------  --------------------  -------------------------------------------------
 * error, errorMessage  int16, string?        see {@link ApiResponse}
 * producerId           int64                 >= 0 (-1)
 * producerEpoch        int16                 >= 0, new for this call (-1)
 * sequences            [PartitionSequence]   one per partition of the topic ([])
 *   partition          int32
 *   highestSequence    int64                 highest persisted sequence; -1 = none yet
 * </pre>
 *
 * <p><b>Instance token.</b> A new instance draws a random non-zero token and sends it with every
 * INIT_PRODUCER it makes. A request carrying the token that holds the name's current epoch is a
 * retry (its answer was lost, or an older copy arrived late): it gets the same id and epoch, no bump.
 * A token the name held before a newer instance took over gets {@code PRODUCER_FENCED}: that
 * instance is older than the current one and must not fence it. Any other token is a new instance.
 * Token 0 (none) always bumps, as before tokens existed.
 *
 * <p>Errors: {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code TOO_MANY_PRODUCERS}, {@code STORAGE_ERROR},
 * {@code PRODUCER_FENCED} (a late INIT_PRODUCER of a replaced instance); with
 * {@code currentEpoch >= 0}: {@code UNKNOWN_PRODUCER} (name never registered), {@code PRODUCER_FENCED}
 * (a newer epoch exists) and {@code DEDUP_STATE_UNKNOWN} (the registration expired while idle).
 * A producer that resumes from its own durable store compares these sequences with its own; the
 * broker answers {@code DEDUP_STATE_UNKNOWN} on produce when it has lost the state it would need.
 */
public final class InitProducer {
    private InitProducer() {
    }

    public record PartitionSequence(int partition, long highestSequence) {
        public PartitionSequence {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("highestSequence", highestSequence, RecordBatch.NO_SEQUENCE, Long.MAX_VALUE);
        }
    }

    /** The instance token meaning "none": the broker bumps the epoch every time. */
    public static final long NO_INSTANCE_TOKEN = 0;

    public record Request(String producerName, String topic, short currentEpoch, long instanceToken)
            implements ApiRequest {
        public Request {
            Check.notNull(producerName, "producerName");
            Check.notNull(topic, "topic");
            Check.range("currentEpoch", currentEpoch, RecordBatch.NO_PRODUCER_EPOCH, Short.MAX_VALUE);
        }

        /** Without an instance token. */
        public Request(String producerName, String topic, short currentEpoch) {
            this(producerName, topic, currentEpoch, NO_INSTANCE_TOKEN);
        }

        /** A new instance without a token: the broker bumps the epoch. */
        public Request(String producerName, String topic) {
            this(producerName, topic, RecordBatch.NO_PRODUCER_EPOCH);
        }

        public boolean newInstance() {
            return currentEpoch == RecordBatch.NO_PRODUCER_EPOCH;
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.INIT_PRODUCER;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(producerName).writeString(topic).writeInt16(currentEpoch).writeInt64(instanceToken);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            String name = r.readString("producerName");
            String topic = r.readString("topic");
            short currentEpoch = r.readInt16();
            if (currentEpoch < RecordBatch.NO_PRODUCER_EPOCH) {
                throw WireReader.invalid("currentEpoch " + currentEpoch + " < -1");
            }
            long instanceToken = r.readInt64();
            return new Request(name, topic, currentEpoch, instanceToken);
        }
    }

    public record Response(ErrorCode error, String errorMessage, long producerId, short producerEpoch,
            List<PartitionSequence> sequences) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            sequences = List.copyOf(sequences);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.INIT_PRODUCER;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeInt64(producerId)
                    .writeInt16(producerEpoch).writeCount(sequences.size());
            for (PartitionSequence s : sequences) {
                w.writeInt32(s.partition()).writeInt64(s.highestSequence());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            long producerId = r.readInt64();
            short epoch = r.readInt16();
            int count = r.readCount(12);
            List<PartitionSequence> sequences = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                sequences.add(new PartitionSequence(r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                        r.readInt64("highestSequence", RecordBatch.NO_SEQUENCE, Long.MAX_VALUE)));
            }
            return new Response(error, message, producerId, epoch, sequences);
        }
    }
}
