package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;

/**
 * HELLO (api key 0): the first request on every connection. Negotiates the protocol version and,
 * when the broker requires it, authenticates with a username and password.
 *
 * <pre>
 * Request                  type     meaning
 * -----------------------  -------  -----------------------------------------------------------
 * clientId                 string   free-form client name, for the broker's log
 * protocolVersion          int16    highest protocol version the client speaks (>= 1)
 * username                 string?  null when the client sends no credentials
 * password                 string?  null when the client sends no credentials
 *
 * Response                 type     meaning (default in an error frame)
 * -----------------------  -------  -----------------------------------------------------------
 * error, errorMessage      int16, string?  see {@link ApiResponse}
 * brokerId                 string?  the broker's id (null)
 * protocolVersion          int16    version used on this connection: min(client, broker) (0)
 * maxFrameBytes            int32    broker's limit on a frame's length field (0)
 * maxBatchBytes            int32    broker's limit on one record batch, length included (0)
 * </pre>
 *
 * <p>Errors: {@code UNSUPPORTED_VERSION} when no common version exists, {@code AUTHENTICATION_FAILED}
 * for wrong or missing credentials; both close the connection. The password travels in clear
 * text: use the protocol only on trusted networks until TLS exists.
 */
public final class Hello {
    private Hello() {
    }

    public record Request(String clientId, short protocolVersion, String username, String password)
            implements ApiRequest {
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
            w.writeString(clientId).writeInt16(protocolVersion).writeNullableString(username)
                    .writeNullableString(password);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            String clientId = r.readString("clientId");
            short version = r.readInt16();
            if (version < 1) {
                throw WireReader.invalid("protocolVersion " + version + " out of range 1.." + Short.MAX_VALUE);
            }
            return new Request(clientId, version, r.readNullableString(), r.readNullableString());
        }

        /** Never prints the password: requests end up in logs. */
        @Override
        public String toString() {
            return "Hello.Request[clientId=" + clientId + ", protocolVersion=" + protocolVersion
                    + ", username=" + username + ", password=" + (password == null ? "null" : "***") + "]";
        }
    }

    public record Response(ErrorCode error, String errorMessage, String brokerId, short protocolVersion,
            int maxFrameBytes, int maxBatchBytes) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
        }

        /** The error-frame form: defaults for everything but the error. */
        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, null, (short) 0, 0, 0);
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.HELLO;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeNullableString(brokerId)
                    .writeInt16(protocolVersion).writeInt32(maxFrameBytes).writeInt32(maxBatchBytes);
        }

        public static Response decode(WireReader r) throws ProtocolException {
            return new Response(r.readErrorCode(), r.readNullableString(), r.readNullableString(),
                    r.readInt16(), r.readInt32(), r.readInt32());
        }
    }
}
