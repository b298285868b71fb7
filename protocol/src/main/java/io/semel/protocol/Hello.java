package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * HELLO (api key 0): the first request on every connection. Negotiates the protocol version and
 * tells the client whether it must authenticate next.
 *
 * <pre>
 * Request                  type     meaning
 * -----------------------  -------  -----------------------------------------------------------
 * clientId                 string   free-form client name, for the broker's log
 * protocolVersion          int16    highest protocol version the client speaks (>= 1)
 *
 * Response                 type     meaning (default in an error frame)
 * -----------------------  -------  -----------------------------------------------------------
 * error, errorMessage      int16, string?  see {@link ApiResponse}
 * brokerId                 string?  the broker's id (null)
 * protocolVersion          int16    version used on this connection: min(client, broker) (0)
 * maxFrameBytes            int32    broker's limit on a frame's length field (0)
 * maxBatchBytes            int32    broker's limit on one record batch, length included (0)
 * authMechanism            string?  "SCRAM-SHA-256" when the client must complete
 *                                   {@link Authenticate} before any other request; null when the
 *                                   broker does not authenticate (null)
 * </pre>
 *
 * <p>Errors: {@code UNSUPPORTED_VERSION} when no common version exists; it closes the connection.
 * No password ever travels in HELLO: credentials are proven by the SCRAM exchange of
 * {@link Authenticate}, which sends only nonces and proofs.
 */
public final class Hello {
    /** The one mechanism {@link Authenticate} speaks. */
    public static final String SCRAM_SHA_256 = "SCRAM-SHA-256";

    private Hello() {
    }

    public record Request(String clientId, short protocolVersion) implements ApiRequest {
        public Request {
            Check.notNull(clientId, "clientId");
            Check.range("protocolVersion", protocolVersion, 1, Short.MAX_VALUE);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.HELLO;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(clientId).writeInt16(protocolVersion);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            String clientId = r.readString("clientId");
            short version = r.readInt16();
            if (version < 1) {
                throw WireReader.invalid("protocolVersion " + version + " out of range 1.." + Short.MAX_VALUE);
            }
            return new Request(clientId, version);
        }
    }

    public record Response(ErrorCode error, String errorMessage, String brokerId, short protocolVersion,
            int maxFrameBytes, int maxBatchBytes, String authMechanism) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
        }

        /** The error-frame form: defaults for everything but the error. */
        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, null, (short) 0, 0, 0, null);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.HELLO;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeNullableString(brokerId)
                    .writeInt16(protocolVersion).writeInt32(maxFrameBytes).writeInt32(maxBatchBytes)
                    .writeNullableString(authMechanism);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), r.readNullableString(),
                    r.readInt16(), r.readInt32(), r.readInt32(), r.readNullableString());
        }
    }
}
