package io.semel.client;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who the client is and how it protects the connection: a user and password for the broker's
 * SCRAM-SHA-256 authentication (the password never leaves the client: only a proof does), and
 * {@link ClientTls}. Immutable and thread-safe. {@link #NONE} for a broker without security.
 *
 * <p>A client properties file ({@link #load}) holds the same:
 *
 * <pre>
 * key                      meaning
 * -----------------------  ---------------------------------------------------------------
 * user                     user name for SCRAM-SHA-256
 * password.file            file whose first line is the password (else env SEMEL_PASSWORD,
 *                          else the key 'password')
 * password                 the password itself (keep the file owner-readable only)
 * tls.caFile               CA certificates (PEM or PKCS#12) that sign the broker's; turns TLS on
 * tls.keyFile              the client's key for mutual TLS (PKCS#12, or PEM PKCS#8)
 * tls.certFile             PEM certificate chain when tls.keyFile is a PEM key
 * tls.storePasswordFile    first line: the PKCS#12 password of tls.keyFile / tls.caFile
 * tls.verifyHostname       true (default): the broker's certificate must name the host
 * </pre>
 */
public final class ClientSecurity {
    /** No credentials, no TLS. */
    public static final ClientSecurity NONE = new ClientSecurity(null, null, null);
    /** The environment variable a password is read from when no password file is given. */
    public static final String PASSWORD_ENV = "SEMEL_PASSWORD";
    private static final Set<String> KEYS = Set.of("user", "password.file", "password", "tls.caFile", "tls.keyFile",
            "tls.certFile", "tls.storePasswordFile", "tls.verifyHostname");

    private final String user;
    private final char[] password;
    private final ClientTls tls;

    private ClientSecurity(String user, char[] password, ClientTls tls) {
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException(user == null ? "a password is set but no user; give the user name too"
                    : "user '" + user + "' has no password; give a password file or set " + PASSWORD_ENV);
        }
        this.user = user;
        this.password = password == null ? null : password.clone();
        this.tls = tls;
    }

    public static ClientSecurity of(String user, char[] password, ClientTls tls) {
        return new ClientSecurity(user, password, tls);
    }

    /** This with other credentials. */
    public ClientSecurity withCredentials(String u, char[] p) {
        return new ClientSecurity(Objects.requireNonNull(u, "user"), Objects.requireNonNull(p, "password"), tls);
    }

    /** This with other TLS settings (null for plain TCP). */
    public ClientSecurity withTls(ClientTls t) {
        return new ClientSecurity(user, password, t);
    }

    /**
     * Reads a client properties file (see the class table).
     *
     * @param env the environment, for {@value #PASSWORD_ENV}
     * @throws IllegalArgumentException for an unknown key or a user without a password
     */
    public static ClientSecurity load(Path file, Map<String, String> env) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown key(s) " + unknown + " in client config " + file
                    + "; known keys are " + new TreeSet<>(KEYS));
        }
        Path base = file.toAbsolutePath().getParent();
        String user = trimmed(p, "user");
        char[] password = null;
        if (trimmed(p, "password.file") != null) {
            password = readFirstLine(base.resolve(trimmed(p, "password.file")));
        } else if (env.get(PASSWORD_ENV) != null) {
            password = env.get(PASSWORD_ENV).toCharArray();
        } else if (p.getProperty("password") != null) {
            password = p.getProperty("password").toCharArray();
        }
        ClientTls tls = null;
        if (trimmed(p, "tls.caFile") != null) {
            tls = ClientTls.trusting(base.resolve(trimmed(p, "tls.caFile")));
            char[] storePassword = trimmed(p, "tls.storePasswordFile") == null ? new char[0]
                    : readFirstLine(base.resolve(trimmed(p, "tls.storePasswordFile")));
            if (trimmed(p, "tls.keyFile") != null) {
                String cert = trimmed(p, "tls.certFile");
                tls = tls.withClientKey(base.resolve(trimmed(p, "tls.keyFile")), cert == null ? null : base.resolve(cert),
                        storePassword);
            }
            String verify = trimmed(p, "tls.verifyHostname");
            if (verify != null) {
                if (!verify.equals("true") && !verify.equals("false")) {
                    throw new IllegalArgumentException("tls.verifyHostname '" + verify + "' in " + file
                            + " is not true or false");
                }
                tls = tls.verifyHostname(Boolean.parseBoolean(verify));
            }
        } else if (trimmed(p, "tls.keyFile") != null) {
            throw new IllegalArgumentException("tls.keyFile is set in " + file + " but tls.caFile is not; TLS needs "
                    + "the CA that signs the broker's certificate");
        }
        if (user == null && password != null && trimmed(p, "password.file") == null && p.getProperty("password") == null) {
            password = null; // SEMEL_PASSWORD alone, without a user in this file: the caller may add the user
        }
        return new ClientSecurity(user, password, tls);
    }

    /** The first line of a password file, without its line break. */
    public static char[] readFirstLine(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int eol = text.indexOf('\n');
        String line = eol < 0 ? text : text.substring(0, eol);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            throw new IllegalArgumentException("password file " + file + " has an empty first line");
        }
        return line.toCharArray();
    }

    private static String trimmed(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The user name, or null without credentials. */
    public String user() {
        return user;
    }

    /** A copy of the password, or null. */
    public char[] password() {
        return password == null ? null : password.clone();
    }

    public boolean hasCredentials() {
        return user != null;
    }

    /** TLS settings, or null for plain TCP. */
    public ClientTls tls() {
        return tls;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "ClientSecurity[user=" + user + ", tls=" + tls + "]";
    }
}
