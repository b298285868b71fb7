package io.semel.client;

import io.semel.client.internal.ConnectionSettings;
import java.util.Objects;

/**
 * What every client builder shares: where the broker is, who the client is, and how long the
 * connection may take. Not thread-safe (a builder is used by one thread, then built).
 *
 * @param <B> the concrete builder, returned by every setter for chaining
 */
public abstract class ClientBuilder<B extends ClientBuilder<B>> {
    final String bootstrap;
    String clientId;
    ClientSecurity security = ClientSecurity.NONE;
    int requestTimeoutMs = 30_000;
    int connectTimeoutMs = 10_000;
    int reconnectBackoffMs = 50;
    int reconnectBackoffMaxMs = 1_000;

    ClientBuilder(String bootstrap, String defaultClientId) {
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.clientId = defaultClientId;
    }

    abstract B self();

    /** Name sent in HELLO and used in thread names and broker logs. */
    public B clientId(String v) {
        clientId = Objects.requireNonNull(v, "clientId");
        return self();
    }

    /** SCRAM-SHA-256 credentials for a broker that requires them; the password never goes on the wire. */
    public B credentials(String user, String pass) {
        security = security.withCredentials(user, Objects.requireNonNull(pass, "pass").toCharArray());
        return self();
    }

    /** TLS to the broker; null for plain TCP (the default). */
    public B tls(ClientTls v) {
        security = security.withTls(v);
        return self();
    }

    /** Credentials and TLS at once, e.g. from {@link ClientSecurity#load}. */
    public B security(ClientSecurity v) {
        security = Objects.requireNonNull(v, "security");
        return self();
    }

    /** How long a request may wait for its answer before its outcome is unknown, ms. */
    public B requestTimeoutMs(int v) {
        requestTimeoutMs = v;
        return self();
    }

    /** TCP connect plus HELLO, ms. */
    public B connectTimeoutMs(int v) {
        connectTimeoutMs = v;
        return self();
    }

    /** The validated connection settings these values describe. */
    ConnectionSettings connectionSettings() {
        String[] hp = ConnectionSettings.splitBootstrap(bootstrap);
        return new ConnectionSettings(hp[0], Integer.parseInt(hp[1]), clientId, security,
                requestTimeoutMs, connectTimeoutMs, reconnectBackoffMs, reconnectBackoffMaxMs);
    }
}
