package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.Arrays;

/**
 * AUTHENTICATE (api key 20): one step of a SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), sent
 * right after HELLO when HELLO's answer names an {@code authMechanism}. Two steps make one
 * exchange: client-first → server-first, then client-final → server-final. Until the second step
 * succeeds the broker answers every other request AUTHENTICATION_FAILED and closes.
 *
 * <pre>
 * Request              type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * mechanism            string   "SCRAM-SHA-256"
 * payload              bytes    the SCRAM message (UTF-8): client-first, then client-final
 *
 * Response             type     meaning (default in an error frame)
 * -------------------  -------  ------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}; AUTHENTICATION_FAILED closes
 * payload              bytes?   server-first, then server-final (null)
 * complete             boolean  true after the final step succeeded (false)
 * </pre>
 *
 * <p>What travels is a user name, nonces, a salt, an iteration count and HMAC proofs; never the
 * password or anything from which it can be read without a brute-force search. Without TLS a
 * passive listener can still run that search offline against a weak password: use TLS.
 */
public final class Authenticate {
    private Authenticate() {
    }

    public record Request(String mechanism, byte[] payload) implements ApiRequest {
        public Request {
            Check.notNull(mechanism, "mechanism");
            Check.notNull(payload, "payload");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.AUTHENTICATE;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(mechanism).writeNullableBytes(payload);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("mechanism"), r.readBytes("payload"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request other && mechanism.equals(other.mechanism)
                    && Arrays.equals(payload, other.payload);
        }

        @Override
        public int hashCode() {
            return 31 * mechanism.hashCode() + Arrays.hashCode(payload);
        }

        /** The payload holds a proof; it stays out of logs. */
        @Override
        public String toString() {
            return "Authenticate.Request[mechanism=" + mechanism + ", payload=" + payload.length + " bytes]";
        }
    }

    public record Response(ErrorCode error, String errorMessage, byte[] payload, boolean complete)
            implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, null, false);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.AUTHENTICATE;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeNullableBytes(payload).writeBoolean(complete);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), r.readNullableBytes(), r.readBoolean());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response other && error == other.error && complete == other.complete
                    && java.util.Objects.equals(errorMessage, other.errorMessage) && Arrays.equals(payload, other.payload);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(error, errorMessage, complete) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Authenticate.Response[error=" + error + ", errorMessage=" + errorMessage + ", payload="
                    + (payload == null ? "null" : payload.length + " bytes") + ", complete=" + complete + "]";
        }
    }
}
