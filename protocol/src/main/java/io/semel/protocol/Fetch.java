package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * FETCH (api key 7): a plain read of one partition's log from an offset, outside any consumer
 * group (used by drain, inspect and verification). Nothing is leased or acked.
 *
 * <pre>
 * Request              type      meaning
 * -------------------  --------  -----------------------------------------------------------
 * topic                string
 * partition            int32     0..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}-1
 * fromOffset           int64     first offset wanted; >= 0
 * maxBytes             int32     soft limit on the batches' total size, bytes; >= 0
 * maxWaitMs            int32     how long to wait for data when there is none, ms; >= 0
 *
 * Response             type      meaning (default in an error frame)
 * -------------------  --------  -----------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * startOffset          int64     first offset in the log (-1)
 * nextOffset           int64     offset the next appended record will get (-1)
 * batches              [bytes]   whole {@link RecordBatch}es, each int32-length-prefixed, in
 *                                offset order; the first contains fromOffset ([])
 * </pre>
 *
 * <p>The first batch may start before {@code fromOffset} (batches are not split): readers skip the
 * records below it. At least one batch is returned when one exists, even above {@code maxBytes},
 * so a reader always progresses; the frame limit still applies. Errors:
 * {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code OFFSET_OUT_OF_RANGE} (below startOffset or above
 * nextOffset; the response carries both).
 */
public final class Fetch {
    private Fetch() {
    }

    public record Request(String topic, int partition, long fromOffset, int maxBytes, int maxWaitMs)
            implements ApiRequest {
        public Request {
            Check.notNull(topic, "topic");
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("fromOffset", fromOffset, 0, Long.MAX_VALUE);
            Check.range("maxBytes", maxBytes, 0, Integer.MAX_VALUE);
            Check.range("maxWaitMs", maxWaitMs, 0, Integer.MAX_VALUE);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.FETCH;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(topic).writeInt32(partition).writeInt64(fromOffset).writeInt32(maxBytes)
                    .writeInt32(maxWaitMs);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("topic"),
                    r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                    r.readInt64("fromOffset", 0, Long.MAX_VALUE), r.readInt32("maxBytes", 0, Integer.MAX_VALUE),
                    r.readInt32("maxWaitMs", 0, Integer.MAX_VALUE));
        }
    }

    public record Response(ErrorCode error, String errorMessage, long startOffset, long nextOffset,
            List<RecordBatch> batches) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            batches = List.copyOf(batches);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, -1L, -1L, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.FETCH;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeInt64(startOffset)
                    .writeInt64(nextOffset).writeCount(batches.size());
            batches.forEach(w::writeBatch);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            long start = r.readInt64();
            long next = r.readInt64();
            int count = r.readCount(4 + RecordBatch.HEADER_BYTES + RecordBatch.RECORD_MIN_BYTES);
            List<RecordBatch> batches = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                batches.add(r.readBatch());
            }
            return new Response(error, message, start, next, batches);
        }
    }
}
