package io.semel.cli;

import io.semel.client.ClientBuilder;
import io.semel.client.ClientSecurity;
import io.semel.client.ClientTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The security options of every command that talks to a broker (client commands through
 * {@link ClientOptions}, {@code bench} through {@link BenchTarget}): TLS, SCRAM credentials, a
 * client properties file. Flags win over {@code --client-config}, which wins over
 * {@code SEMEL_PASSWORD}. See docs/security.md.
 */
final class SecurityOptions {
    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Client properties file: user, password.file, tls.caFile, tls.keyFile... (docs/security.md).")
    Path clientConfig;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Connect with TLS, trusting the CA certificate(s) in FILE (PEM or PKCS#12).")
    Path tlsCa;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Client key for mutual TLS: PKCS#12 (password from --tls-store-password-file) or PEM PKCS#8.")
    Path tlsKey;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain for a PEM --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-store-password-file", paramLabel = "FILE",
            description = "File whose first line is the PKCS#12 password of --tls-key.")
    Path tlsStorePasswordFile;

    @Option(names = "--user", paramLabel = "NAME", description = "User for SCRAM-SHA-256 authentication.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File whose first line is the password of --user (else env " + ClientSecurity.PASSWORD_ENV
                    + ").")
    Path passwordFile;

    /** The environment, for SEMEL_PASSWORD; replaceable in tests. */
    Map<String, String> env = System.getenv();

    /** Whether any security option was given. */
    boolean any() {
        return clientConfig != null || tlsCa != null || tlsKey != null || user != null || passwordFile != null;
    }

    /** Applies the security options to any client builder. */
    <B extends ClientBuilder<B>> B configure(B builder) {
        return builder.security(security());
    }

    /** Credentials and TLS from --client-config, the flags and SEMEL_PASSWORD, the flags winning. */
    ClientSecurity security() {
        try {
            ClientSecurity s = clientConfig == null ? ClientSecurity.NONE : ClientSecurity.load(clientConfig, env);
            if (tlsCa != null) {
                ClientTls tls = ClientTls.trusting(tlsCa);
                if (tlsKey != null) {
                    tls = tls.withClientKey(tlsKey, tlsCert, tlsStorePasswordFile == null ? new char[0]
                            : ClientSecurity.readFirstLine(tlsStorePasswordFile));
                }
                s = s.withTls(tls);
            } else if (tlsKey != null) {
                throw new IllegalArgumentException("--tls-key needs --tls-ca (the CA that signs the broker's certificate)");
            }
            String name = user != null ? user : s.user();
            if (user != null || passwordFile != null) {
                if (name == null) {
                    throw new IllegalArgumentException("--password-file needs --user");
                }
                char[] password = passwordFile != null ? ClientSecurity.readFirstLine(passwordFile)
                        : env.get(ClientSecurity.PASSWORD_ENV) != null ? env.get(ClientSecurity.PASSWORD_ENV).toCharArray()
                        : s.password();
                if (password == null) {
                    throw new IllegalArgumentException("--user " + name + " needs a password: --password-file FILE or "
                            + "the environment variable " + ClientSecurity.PASSWORD_ENV);
                }
                s = s.withCredentials(name, password);
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
