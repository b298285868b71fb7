package io.semel.console.internal;

import io.semel.broker.BrokerConfig;
import io.semel.console.ConsoleAuthenticator;
import java.nio.charset.StandardCharsets;

/**
 * The broker's own credentials (settings {@code username}/{@code password}, checked in constant time
 * by {@link BrokerConfig#credentialsMatch}): when the broker requires them, so does the console.
 * Immutable, thread-safe.
 */
public final class BrokerCredentialsAuthenticator implements ConsoleAuthenticator {
    private final BrokerConfig config;

    public BrokerCredentialsAuthenticator(BrokerConfig config) {
        this.config = config;
    }

    @Override
    public boolean required() {
        return config.requiresCredentials();
    }

    @Override
    public boolean check(String user, byte[] password) {
        return config.credentialsMatch(user, new String(password, StandardCharsets.UTF_8));
    }
}
