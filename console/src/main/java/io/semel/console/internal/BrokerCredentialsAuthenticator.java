package io.semel.console.internal;

import io.semel.broker.BrokerConfig;
import io.semel.broker.security.CredentialFile;
import io.semel.console.ConsoleAuthenticator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The broker's own users (SCRAM-SHA-256 credentials in {@code <dataDir>/security/users}, see
 * docs/security.md): when the broker authenticates ({@code security.authentication=scram}), so does
 * the console, and a password is checked by deriving its keys with the stored salt and comparing
 * them in constant time ({@link CredentialFile#verify}). Immutable, thread-safe; reads the file on
 * each check (console threads may block), so users added with {@code semel user} count at once.
 */
public final class BrokerCredentialsAuthenticator implements ConsoleAuthenticator {
    private final BrokerConfig config;

    public BrokerCredentialsAuthenticator(BrokerConfig config) {
        this.config = config;
    }

    @Override
    public boolean required() {
        return config.security().authorizationEnabled();
    }

    @Override
    public boolean check(String user, byte[] password) {
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(password));
        char[] pw = Arrays.copyOf(chars.array(), chars.limit());
        try {
            return CredentialFile.verify(config.dataDir(), user, pw);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broker's users to check the console login: "
                    + e.getMessage(), e);
        } finally {
            Arrays.fill(pw, '\0');
            Arrays.fill(chars.array(), '\0');
        }
    }
}
