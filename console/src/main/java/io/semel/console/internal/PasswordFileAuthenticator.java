package io.semel.console.internal;

import io.semel.console.ConsoleAuthenticator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP Basic users from a file of {@code user:password} lines ({@code #} starts a comment). Passwords
 * are compared as SHA-256 digests with {@link MessageDigest#isEqual} (constant time, and the same
 * length whatever was typed), and an unknown user costs the same comparison. Immutable, thread-safe.
 */
public final class PasswordFileAuthenticator implements ConsoleAuthenticator {
    /** Users one file may hold. */
    static final int USERS_MAX = 1000;
    private static final byte[] NO_USER = sha256(new byte[] {0x00, (byte) 0xff});

    private final Map<String, byte[]> digests;

    private PasswordFileAuthenticator(Map<String, byte[]> digests) {
        this.digests = digests;
    }

    /** @throws IOException the file cannot be read or has no valid line */
    public static PasswordFileAuthenticator load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, byte[]> digests = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 1 || colon == line.length() - 1) {
                throw new IOException("console password file " + file + " line " + (i + 1) + " is not user:password "
                        + "(both non-empty)");
            }
            if (digests.size() == USERS_MAX) {
                throw new IOException("console password file " + file + " has more than " + USERS_MAX + " users");
            }
            digests.put(line.substring(0, colon), sha256(line.substring(colon + 1).getBytes(StandardCharsets.UTF_8)));
        }
        if (digests.isEmpty()) {
            throw new IOException("console password file " + file + " has no user:password line");
        }
        return new PasswordFileAuthenticator(digests);
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public boolean check(String user, byte[] password) {
        byte[] expected = digests.get(user);
        boolean match = MessageDigest.isEqual(expected == null ? NO_USER : expected, sha256(password));
        return expected != null && match;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
