package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * DESCRIBE_TOPIC (api key 4): one topic's partitions with the offsets a reader can fetch.
 *
 * <pre>
 * Request              type                meaning
 * -------------------  ------------------  ---------------------------------------------------
 * topic                string
 *
 * Response             type                meaning (default in an error frame)
 * -------------------  ------------------  ---------------------------------------------------
 * error, errorMessage  int16, string?      see {@link ApiResponse}; UNKNOWN_TOPIC_OR_PARTITION
 * partitions           [PartitionOffsets]  one per partition, by partition number ([])
 *   partition          int32               0..partitionCount-1
 *   startOffset        int64               first offset still in the log (after retention)
 *   nextOffset         int64               offset the next appended record gets; >= startOffset
 * </pre>
 */
public final class DescribeTopic {
    private DescribeTopic() {
    }

    public record PartitionOffsets(int partition, long startOffset, long nextOffset) {
        public PartitionOffsets {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("startOffset", startOffset, 0, Long.MAX_VALUE);
            Check.range("nextOffset", nextOffset, startOffset, Long.MAX_VALUE);
        }
    }

    public record Request(String topic) implements ApiRequest {
        public Request {
            Check.notNull(topic, "topic");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.DESCRIBE_TOPIC;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(topic);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("topic"));
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<PartitionOffsets> partitions)
            implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            partitions = List.copyOf(partitions);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.DESCRIBE_TOPIC;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(partitions.size());
            for (PartitionOffsets p : partitions) {
                w.writeInt32(p.partition()).writeInt64(p.startOffset()).writeInt64(p.nextOffset());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(20);
            List<PartitionOffsets> partitions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int partition = r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
                long start = r.readInt64("startOffset", 0, Long.MAX_VALUE);
                partitions.add(new PartitionOffsets(partition, start, r.readInt64("nextOffset", start, Long.MAX_VALUE)));
            }
            return new Response(error, message, partitions);
        }
    }
}
