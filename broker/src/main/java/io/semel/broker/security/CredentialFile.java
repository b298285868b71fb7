package io.semel.broker.security;

import io.semel.protocol.scram.Scram;
import io.semel.protocol.scram.ScramCredential;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SCRAM-SHA-256 users of a broker: {@code <dataDir>/security/users}, one line per user, in the
 * {@link SecurityFile} format. A line holds what {@link ScramCredential} holds, never the password:
 *
 * <pre>
 * scram-sha-256 &lt;user&gt; &lt;iterations&gt; &lt;salt base64&gt; &lt;StoredKey base64&gt; &lt;ServerKey base64&gt;
 * </pre>
 *
 * <p>Written by {@code semel user} (offline, against the data directory); read by the broker at
 * start and again whenever it changes. Thread-safe (stateless).
 */
public final class CredentialFile {
    static final String NAME = "users";
    private static final String MECHANISM = "scram-sha-256";

    private CredentialFile() {
    }

    public static Path path(Path dataDir) {
        return SecurityFile.dir(dataDir).resolve(NAME);
    }

    /** Every user and credential, by name. */
    public static Map<String, ScramCredential> read(Path dataDir) throws IOException {
        Map<String, ScramCredential> out = new TreeMap<>();
        Path file = path(dataDir);
        for (String line : SecurityFile.read(file)) {
            String[] f = line.split(" ");
            if (f.length != 6 || !f[0].equals(MECHANISM)) {
                throw new IOException(file + " has a line that is not '" + MECHANISM + " user iterations salt "
                        + "storedKey serverKey'; restore the file from a backup");
            }
            try {
                Base64.Decoder b64 = Base64.getDecoder();
                out.put(Principal.checkName(f[1]), new ScramCredential(b64.decode(f[3]), Integer.parseInt(f[2]),
                        b64.decode(f[4]), b64.decode(f[5])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": bad entry for user '" + f[1] + "': " + e.getMessage(), e);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Adds {@code user} or replaces its password: salted and hashed here, only the derived keys are
     * written. Returns whether the user existed.
     */
    public static boolean put(Path dataDir, String user, char[] password, int iterations, SecureRandom random)
            throws IOException {
        Principal.checkName(user);
        if (password.length == 0) {
            throw new IllegalArgumentException("the password for '" + user + "' is empty");
        }
        ScramCredential c = Scram.newCredential(password, iterations, random);
        return SecurityFile.locked(SecurityFile.dir(dataDir), () -> {
            Map<String, ScramCredential> users = new TreeMap<>(read(dataDir));
            boolean existed = users.put(user, c) != null;
            write(dataDir, users);
            return existed;
        });
    }

    /**
     * Whether {@code password} is {@code user}'s: derives the keys with the stored salt and
     * iterations and compares StoredKey in constant time. For components that receive a password
     * directly (the web console's HTTP Basic login), never for the wire protocol, which uses SCRAM.
     */
    public static boolean verify(Path dataDir, String user, char[] password) throws IOException {
        ScramCredential stored = read(dataDir).get(user);
        if (stored == null) {
            return false;
        }
        ScramCredential offered = Scram.credential(password, stored.salt(), stored.iterations());
        return java.security.MessageDigest.isEqual(offered.storedKey(), stored.storedKey());
    }

    /** Removes {@code user}; returns whether it existed. */
    public static boolean remove(Path dataDir, String user) throws IOException {
        return SecurityFile.locked(SecurityFile.dir(dataDir), () -> {
            Map<String, ScramCredential> users = new TreeMap<>(read(dataDir));
            boolean existed = users.remove(user) != null;
            if (existed) {
                write(dataDir, users);
            }
            return existed;
        });
    }

    private static void write(Path dataDir, Map<String, ScramCredential> users) throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        List<String> lines = new ArrayList<>();
        users.forEach((name, c) -> lines.add(String.join(" ", MECHANISM, name, String.valueOf(c.iterations()),
                b64.encodeToString(c.salt()), b64.encodeToString(c.storedKey()), b64.encodeToString(c.serverKey()))));
        SecurityFile.write(path(dataDir), "user", lines);
    }
}
