package io.semel.broker.security;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The broker's security settings: TLS on the listening port, SCRAM-SHA-256 authentication, and ACLs.
 * Immutable and thread-safe. Kept apart from {@code BrokerConfig} so the two can evolve separately;
 * {@code BrokerConfig} hands it every key that starts with {@code tls.} or {@code security.}.
 * Users and ACLs themselves live in the data directory ({@link CredentialFile}, {@link AclFile}),
 * managed with {@code semel user} and {@code semel acl}. User guide: {@code docs/security.md}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>tls.keyFile</td><td>none (plain TCP)</td><td>the broker's key: a PKCS#12/JKS store, or a PEM
 *       unencrypted PKCS#8 private key; setting it turns TLS on for the port</td></tr>
 *   <tr><td>tls.certFile</td><td>none</td><td>PEM certificate chain, when tls.keyFile is a PEM key without it</td></tr>
 *   <tr><td>tls.keyPasswordFile</td><td>none</td><td>file whose first line is the PKCS#12/JKS password</td></tr>
 *   <tr><td>tls.clientCaFile</td><td>none</td><td>CA certificates (PEM or PKCS#12) that sign client certificates</td></tr>
 *   <tr><td>tls.clientAuth</td><td>none</td><td>{@code required}: a client must present a certificate signed by
 *       tls.clientCaFile (mutual TLS); {@code none}: no client certificate is asked for</td></tr>
 *   <tr><td>security.authentication</td><td>none</td><td>{@code scram}: every connection proves a user with
 *       SCRAM-SHA-256 after HELLO, and ACLs are enforced (default deny)</td></tr>
 *   <tr><td>security.superUsers</td><td>none</td><td>comma-separated users allowed everything</td></tr>
 *   <tr><td>security.reloadIntervalMs</td><td>1000</td><td>how often the users and ACL files are checked for
 *       changes made by {@code semel user}/{@code semel acl} while the broker runs</td></tr>
 * </table>
 */
public final class SecurityConfig {
    /** Whether a client must present a certificate. */
    public enum ClientAuth { NONE, REQUIRED }

    /** How a connection proves who it is. */
    public enum Authentication { NONE, SCRAM }

    public static final long RELOAD_INTERVAL_MS_DEFAULT = 1000;
    private static final Set<String> KEYS = Set.of("tls.keyFile", "tls.certFile", "tls.keyPasswordFile",
            "tls.clientCaFile", "tls.clientAuth", "security.authentication", "security.superUsers",
            "security.reloadIntervalMs");

    private final Path tlsKeyFile;
    private final Path tlsCertFile;
    private final Path tlsKeyPasswordFile;
    private final Path tlsClientCaFile;
    private final ClientAuth clientAuth;
    private final Authentication authentication;
    private final Set<String> superUsers;
    private final long reloadIntervalMs;

    private SecurityConfig(Builder b) {
        this.tlsKeyFile = b.tlsKeyFile;
        this.tlsCertFile = b.tlsCertFile;
        this.tlsKeyPasswordFile = b.tlsKeyPasswordFile;
        this.tlsClientCaFile = b.tlsClientCaFile;
        this.clientAuth = b.clientAuth;
        this.authentication = b.authentication;
        this.superUsers = Set.copyOf(b.superUsers);
        this.reloadIntervalMs = b.reloadIntervalMs;
    }

    /** No TLS, no authentication, no ACLs: the default, for trusted networks and the verify harness. */
    public static SecurityConfig none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a key belongs here (so {@code BrokerConfig} passes it on). */
    public static boolean owns(String key) {
        return key.startsWith("tls.") || key.startsWith("security.");
    }

    /**
     * Builds from the {@code tls.*} and {@code security.*} entries of {@code values}; others are
     * ignored. Relative paths are taken as given (relative to the broker's working directory).
     *
     * @throws IllegalArgumentException for an unknown key of these prefixes or a bad value
     */
    public static SecurityConfig fromMap(Map<String, String> values) {
        Builder b = builder();
        Set<String> unknown = new TreeSet<>();
        values.forEach((k, v) -> {
            if (owns(k) && !KEYS.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown security setting(s) " + unknown + "; known keys are "
                    + new TreeSet<>(KEYS));
        }
        path(values, "tls.keyFile").ifPresent(p -> b.tlsKeyFile = p);
        path(values, "tls.certFile").ifPresent(p -> b.tlsCertFile = p);
        path(values, "tls.keyPasswordFile").ifPresent(p -> b.tlsKeyPasswordFile = p);
        path(values, "tls.clientCaFile").ifPresent(p -> b.tlsClientCaFile = p);
        String clientAuth = values.get("tls.clientAuth");
        if (clientAuth != null) {
            b.clientAuth(parseEnum(ClientAuth.class, "tls.clientAuth", clientAuth));
        }
        String auth = values.get("security.authentication");
        if (auth != null) {
            b.authentication(parseEnum(Authentication.class, "security.authentication", auth));
        }
        String supers = values.get("security.superUsers");
        if (supers != null) {
            for (String u : supers.split(",")) {
                if (!u.isBlank()) {
                    b.superUser(u.trim());
                }
            }
        }
        String reload = values.get("security.reloadIntervalMs");
        if (reload != null) {
            try {
                b.reloadIntervalMs(Long.parseLong(reload.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("security.reloadIntervalMs '" + reload + "' is not a number of ms");
            }
        }
        return b.build();
    }

    private static java.util.Optional<Path> path(Map<String, String> values, String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(v.trim()));
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " '" + value + "' is not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    public boolean tlsEnabled() {
        return tlsKeyFile != null;
    }

    public Path tlsKeyFile() {
        return tlsKeyFile;
    }

    public Path tlsCertFile() {
        return tlsCertFile;
    }

    public Path tlsKeyPasswordFile() {
        return tlsKeyPasswordFile;
    }

    public Path tlsClientCaFile() {
        return tlsClientCaFile;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    public Authentication authentication() {
        return authentication;
    }

    /** Security is on: connections authenticate and every request is checked against the ACLs. */
    public boolean authorizationEnabled() {
        return authentication == Authentication.SCRAM;
    }

    public Set<String> superUsers() {
        return superUsers;
    }

    public long reloadIntervalMs() {
        return reloadIntervalMs;
    }

    @Override
    public String toString() {
        return "tls=" + (tlsEnabled() ? "on (clientAuth " + clientAuth.name().toLowerCase(Locale.ROOT) + ")" : "off")
                + ", authentication=" + authentication.name().toLowerCase(Locale.ROOT) + ", superUsers=" + superUsers;
    }

    /** Mutable, not thread-safe. {@link #build()} validates. */
    public static final class Builder {
        private Path tlsKeyFile;
        private Path tlsCertFile;
        private Path tlsKeyPasswordFile;
        private Path tlsClientCaFile;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Authentication authentication = Authentication.NONE;
        private final Set<String> superUsers = new LinkedHashSet<>();
        private long reloadIntervalMs = RELOAD_INTERVAL_MS_DEFAULT;

        private Builder() {
        }

        /** TLS with a PKCS#12/JKS store (certFile null) or a PEM key and chain. */
        public Builder tls(Path keyFile, Path certFile, Path keyPasswordFile) {
            tlsKeyFile = Objects.requireNonNull(keyFile, "keyFile");
            tlsCertFile = certFile;
            tlsKeyPasswordFile = keyPasswordFile;
            return this;
        }

        /** Mutual TLS: clients must present a certificate signed by a CA in {@code caFile}. */
        public Builder requireClientCertificates(Path caFile) {
            tlsClientCaFile = Objects.requireNonNull(caFile, "caFile");
            clientAuth = ClientAuth.REQUIRED;
            return this;
        }

        public Builder clientAuth(ClientAuth v) {
            clientAuth = Objects.requireNonNull(v, "clientAuth");
            return this;
        }

        public Builder authentication(Authentication v) {
            authentication = Objects.requireNonNull(v, "authentication");
            return this;
        }

        public Builder superUser(String user) {
            superUsers.add(Principal.checkName(user));
            return this;
        }

        public Builder reloadIntervalMs(long v) {
            reloadIntervalMs = v;
            return this;
        }

        public SecurityConfig build() {
            if (clientAuth == ClientAuth.REQUIRED && (tlsClientCaFile == null || tlsKeyFile == null)) {
                throw new IllegalArgumentException("tls.clientAuth=required needs tls.keyFile (TLS on) and "
                        + "tls.clientCaFile (the CA that signs client certificates)");
            }
            if (reloadIntervalMs < 10 || reloadIntervalMs > 3_600_000) {
                throw new IllegalArgumentException("security.reloadIntervalMs " + reloadIntervalMs
                        + " outside 10..3600000 ms");
            }
            if (!superUsers.isEmpty() && authentication == Authentication.NONE) {
                throw new IllegalArgumentException("security.superUsers " + superUsers + " is set but "
                        + "security.authentication is none; set security.authentication=scram");
            }
            return new SecurityConfig(this);
        }
    }
}
