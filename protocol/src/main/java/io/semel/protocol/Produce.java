package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * PRODUCE (api key 6): appends one record batch to one partition. Answered only after the batch is
 * durable (or the timeout passed).
 *
 * <pre>
 * Request              type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * topic                string
 * partition            int32    0..{@value Protocol#MAX_PARTITIONS_PER_TOPIC}-1
 * timeoutMs            int32    how long the broker may wait for durability, ms; >= 0
 * batch                bytes    one {@link RecordBatch} in its own format (length + CRC32C),
 *                               int32-length-prefixed; the base offset is ignored
 *
 * Response             type     meaning (default in an error frame)
 * -------------------  -------  ------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}
 * baseOffset           int64    offset of the first record (-1)
 * lastOffset           int64    offset of the last record (-1)
 * duplicate            boolean  true: this batch was already persisted; the offsets are the
 *                               original ones when the broker still retains them, else -1 (false)
 * </pre>
 *
 * <p>Errors: {@code CORRUPT_MESSAGE} (the batch failed its CRC, length or content check, on the
 * wire or when the request was decoded), {@code MESSAGE_TOO_LARGE}, {@code OUT_OF_ORDER_SEQUENCE},
 * {@code PRODUCER_FENCED}, {@code DEDUP_STATE_UNKNOWN}, {@code UNKNOWN_PRODUCER},
 * {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code STORAGE_ERROR}, {@code NOT_ENOUGH_SPACE},
 * {@code TIMEOUT} (outcome unknown: retry with the same sequence, dedup makes that safe).
 */
public final class Produce {
    private Produce() {
    }

    public record Request(String topic, int partition, int timeoutMs, RecordBatch batch) implements ApiRequest {
        public Request {
            Check.notNull(topic, "topic");
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("timeoutMs", timeoutMs, 0, Integer.MAX_VALUE);
            Check.notNull(batch, "batch");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.PRODUCE;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(topic).writeInt32(partition).writeInt32(timeoutMs).writeBatch(batch);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("topic"),
                    r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                    r.readInt32("timeoutMs", 0, Integer.MAX_VALUE), r.readBatch());
        }
    }

    public record Response(ErrorCode error, String errorMessage, long baseOffset, long lastOffset,
            boolean duplicate) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, -1L, -1L, false);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.PRODUCE;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeInt64(baseOffset)
                    .writeInt64(lastOffset).writeBoolean(duplicate);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), r.readInt64(), r.readInt64(),
                    r.readBoolean());
        }
    }
}
