package io.semel.cli;

import io.semel.broker.BrokerConfig;
import io.semel.client.Admin;
import io.semel.client.ClientBuilder;
import io.semel.client.ClientSecurity;
import io.semel.client.ClientTls;
import io.semel.client.DeliveryGuarantee;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Options every client command takes ({@code --broker}, {@code --timeout}, and the security flags
 * {@code --tls-ca}, {@code --user}, {@code --password-file}, {@code --client-config}...), mixed
 * into each.
 */
final class ClientOptions {
    static final String DEFAULT_BROKER = "localhost:" + BrokerConfig.DEFAULT_PORT;

    @Option(names = "--broker", paramLabel = "HOST:PORT", converter = AddressConverter.class,
            description = "Broker address (default ${DEFAULT-VALUE}).")
    String broker = DEFAULT_BROKER;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest wait for the broker: connect, each request, and for produce the delivery of "
                    + "each message (default 30s; units ms, s, m; a bare number is seconds).")
    Duration timeout = Duration.ofSeconds(30);

    // ---- security (docs/security.md): flags win over --client-config, which wins over SEMEL_PASSWORD ----

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

    int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    Admin admin() {
        return configure(Admin.builder(broker)).clientId("semel-cli").requestTimeoutMs(timeoutMs())
                .connectTimeoutMs(timeoutMs()).build();
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

    /** "host:port" with a port in 1..65535; checked here so a typo is a usage error (exit 2). */
    static final class AddressConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new TypeConversionException("'" + value + "' is not HOST:PORT (e.g. " + DEFAULT_BROKER + ")");
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("port '" + value.substring(colon + 1) + "' in '" + value
                        + "' is not a number");
            }
            if (port < 1 || port > 65_535) {
                throw new TypeConversionException("port " + port + " in '" + value + "' is outside 1..65535");
            }
            return value;
        }
    }

    /** "500ms", "10s", "2m"; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                Duration d;
                if (v.endsWith("ms")) {
                    d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                } else {
                    d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
                }
                if (d.isNegative() || d.isZero()) {
                    throw new TypeConversionException("duration '" + value + "' must be > 0");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a duration; use e.g. 500ms, 10s, 2m");
            }
        }
    }

    /** "exactly-once", "at-least-once", "at-most-once" (any case, '-' or '_'). */
    static final class GuaranteeConverter implements ITypeConverter<DeliveryGuarantee> {
        @Override
        public DeliveryGuarantee convert(String value) {
            try {
                return DeliveryGuarantee.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not a guarantee; use exactly-once, at-least-once or at-most-once");
            }
        }
    }

    /** The CLI spelling of a guarantee: "exactly-once". */
    static String spell(DeliveryGuarantee g) {
        return g.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
