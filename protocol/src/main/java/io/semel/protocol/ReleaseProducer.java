package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * RELEASE_PRODUCER (api key 14): removes a producer name's registration, so a one-shot producer
 * does not hold a slot of the broker's {@code producersMax} until it expires. Its producer id is
 * never issued again; a batch still carrying it gets {@code UNKNOWN_PRODUCER}. Idempotent: releasing
 * a name that is not registered answers {@link Outcome#NOT_REGISTERED}, not an error. A producer
 * sends it from {@code close()} once nothing of it is in flight; an operator sends it with
 * {@code producerEpoch = -1} to remove whichever instance holds the name ({@code semel producers remove}).
 *
 * <pre>
 * Request              type              meaning
 * -------------------  ----------------  -----------------------------------------------------
 * producerName         string            the name given to INIT_PRODUCER
 * producerEpoch        int16             the releasing instance's epoch: a newer instance is left
 *                                        alone; -1 = remove whichever instance holds it
 *
 * Response             type              meaning (default in an error frame)
 * -------------------  ----------------  -----------------------------------------------------
 * error, errorMessage  int16, string?    see {@link ApiResponse}; STORAGE_ERROR, INVALID_REQUEST
 * outcome              int8              0 RELEASED, 1 NOT_REGISTERED, 2 HELD_BY_NEWER_INSTANCE (1)
 * producerId           int64             the id removed, -1 when none (-1)
 * </pre>
 */
public final class ReleaseProducer {
    private ReleaseProducer() {
    }

    /** What the broker did; wire values are fixed. */
    public enum Outcome {
        /** The registration is gone. */
        RELEASED,
        /** There was none: released before, removed, expired and purged, or never registered. */
        NOT_REGISTERED,
        /** A newer instance holds the name: left alone. */
        HELD_BY_NEWER_INSTANCE;

        static Outcome forWire(int v) throws ProtocolException {
            if (v < 0 || v >= values().length) {
                throw new ProtocolException(ErrorCode.INVALID_REQUEST, "release outcome " + v + " outside 0.."
                        + (values().length - 1));
            }
            return values()[v];
        }
    }

    public record Request(String producerName, short producerEpoch) implements ApiRequest {
        public Request {
            Check.notNull(producerName, "producerName");
            Check.range("producerEpoch", producerEpoch, RecordBatch.NO_PRODUCER_EPOCH, Short.MAX_VALUE);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.RELEASE_PRODUCER;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(producerName).writeInt16(producerEpoch);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            String name = r.readString("producerName");
            short epoch = r.readInt16();
            if (epoch < RecordBatch.NO_PRODUCER_EPOCH) {
                throw WireReader.invalid("producerEpoch " + epoch + " < -1");
            }
            return new Request(name, epoch);
        }
    }

    public record Response(ErrorCode error, String errorMessage, Outcome outcome, long producerId)
            implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            Check.notNull(outcome, "outcome");
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, Outcome.NOT_REGISTERED, RecordBatch.NO_PRODUCER_ID);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.RELEASE_PRODUCER;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeInt8(outcome.ordinal())
                    .writeInt64(producerId);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            Outcome outcome = Outcome.forWire(r.readInt8());
            long id = r.readInt64();
            return new Response(error, message, outcome, id);
        }
    }
}
