package io.semel.protocol.scram;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a broker keeps about one SCRAM-SHA-256 user (RFC 5802 §3): the salt, the iteration count,
 * {@code StoredKey = H(HMAC(SaltedPassword, "Client Key"))} and
 * {@code ServerKey = HMAC(SaltedPassword, "Server Key")}. The password cannot be read back from
 * it; someone who steals it can run an offline guessing attack (slowed by the iterations) and can
 * impersonate the broker to that user, but cannot log in as the user without the password.
 * Immutable; the arrays are copied in and out.
 */
public final class ScramCredential {
    private final byte[] salt;
    private final int iterations;
    private final byte[] storedKey;
    private final byte[] serverKey;

    public ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
        this.salt = Objects.requireNonNull(salt, "salt").clone();
        this.iterations = iterations;
        this.storedKey = Objects.requireNonNull(storedKey, "storedKey").clone();
        this.serverKey = Objects.requireNonNull(serverKey, "serverKey").clone();
        Scram.requireIterations(iterations);
        if (storedKey.length != Scram.KEY_BYTES || serverKey.length != Scram.KEY_BYTES) {
            throw new IllegalArgumentException("storedKey and serverKey must be " + Scram.KEY_BYTES + " bytes, were "
                    + storedKey.length + " and " + serverKey.length);
        }
        if (salt.length < Scram.SALT_BYTES_MIN) {
            throw new IllegalArgumentException("salt of " + salt.length + " bytes; at least " + Scram.SALT_BYTES_MIN);
        }
    }

    public byte[] salt() {
        return salt.clone();
    }

    public int iterations() {
        return iterations;
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c && iterations == c.iterations && Arrays.equals(salt, c.salt)
                && Arrays.equals(storedKey, c.storedKey) && Arrays.equals(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(storedKey);
    }

    /** Keys stay out of logs. */
    @Override
    public String toString() {
        return "ScramCredential[iterations=" + iterations + ", salt=" + salt.length + " bytes]";
    }
}
