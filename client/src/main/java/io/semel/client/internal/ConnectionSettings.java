package io.semel.client.internal;

import io.semel.client.ClientSecurity;
import java.util.Objects;

/**
 * How to reach, greet and authenticate to one broker. Immutable.
 *
 * @param requestTimeoutMs how long a request may go unanswered before its outcome is declared
 *     unknown and the connection is discarded, ms
 * @param connectTimeoutMs TCP connect plus HELLO, ms
 * @param reconnectBackoffMs first wait after a failed connect, ms; doubles up to reconnectBackoffMaxMs
 */
public record ConnectionSettings(String host, int port, String clientId, ClientSecurity security,
        int requestTimeoutMs, int connectTimeoutMs, int reconnectBackoffMs, int reconnectBackoffMaxMs) {
    public ConnectionSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clientId, "clientId");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        Objects.requireNonNull(security, "security (ClientSecurity.NONE for none)");
        positive("requestTimeoutMs", requestTimeoutMs);
        positive("connectTimeoutMs", connectTimeoutMs);
        positive("reconnectBackoffMs", reconnectBackoffMs);
        if (reconnectBackoffMaxMs < reconnectBackoffMs) {
            throw new IllegalArgumentException("reconnectBackoffMaxMs " + reconnectBackoffMaxMs
                    + " is below reconnectBackoffMs " + reconnectBackoffMs);
        }
    }

    /** Parses {@code "host:port"}. */
    public static String[] splitBootstrap(String bootstrap) {
        Objects.requireNonNull(bootstrap, "bootstrap");
        int colon = bootstrap.lastIndexOf(':');
        if (colon <= 0 || colon == bootstrap.length() - 1) {
            throw new IllegalArgumentException("bootstrap '" + bootstrap + "' is not host:port (e.g. localhost:7471)");
        }
        String port = bootstrap.substring(colon + 1);
        try {
            Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bootstrap '" + bootstrap + "' has a non-numeric port '" + port + "'", e);
        }
        return new String[] {bootstrap.substring(0, colon), port};
    }

    public String address() {
        return host + ":" + port;
    }

    static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }
}
