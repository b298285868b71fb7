package io.semel.verify.proxy;

/**
 * How a {@link FaultProxy} reads traffic, and its limits. Immutable.
 *
 * @param framed true: the client→broker and broker→client streams are Semel frames (int32 length, then that
 *     many bytes) and the one-shot policies act on whole frames; false: on whatever one read returned
 * @param maxConnections open client connections above which new ones are refused (closed at once)
 * @param maxFrameBytes largest length field accepted in framed mode; a larger one closes the connection
 * @param connectTimeoutMs timeout for connecting to the target, per connection and per replay
 */
public record ProxyOptions(boolean framed, int maxConnections, int maxFrameBytes, int connectTimeoutMs) {
    public static final int MAX_CONNECTIONS_DEFAULT = 64;
    /** Semel's default frame limit (protocol {@code Protocol.MAX_FRAME_BYTES_DEFAULT}). */
    public static final int MAX_FRAME_BYTES_DEFAULT = io.semel.protocol.Protocol.MAX_FRAME_BYTES_DEFAULT;
    public static final int CONNECT_TIMEOUT_MS_DEFAULT = 2_000;

    public ProxyOptions {
        if (maxConnections < 1 || maxFrameBytes < 1 || connectTimeoutMs < 1) {
            throw new IllegalArgumentException("limits must be positive: maxConnections " + maxConnections
                    + ", maxFrameBytes " + maxFrameBytes + ", connectTimeoutMs " + connectTimeoutMs);
        }
    }

    /** For Semel traffic: frame-aware, default limits. */
    public static ProxyOptions semelFrames() {
        return new ProxyOptions(true, MAX_CONNECTIONS_DEFAULT, MAX_FRAME_BYTES_DEFAULT, CONNECT_TIMEOUT_MS_DEFAULT);
    }

    /** For any byte stream: chunk-wise, default limits. */
    public static ProxyOptions rawBytes() {
        return new ProxyOptions(false, MAX_CONNECTIONS_DEFAULT, MAX_FRAME_BYTES_DEFAULT, CONNECT_TIMEOUT_MS_DEFAULT);
    }

    public ProxyOptions withMaxConnections(int n) {
        return new ProxyOptions(framed, n, maxFrameBytes, connectTimeoutMs);
    }
}
