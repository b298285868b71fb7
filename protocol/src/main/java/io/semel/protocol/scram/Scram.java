package io.semel.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 functions of RFC 5802 §2.2/§3 with the hash of RFC 7677, on the JDK's
 * {@code PBKDF2WithHmacSHA256}, {@code HmacSHA256} and {@code SHA-256}. Stateless and
 * thread-safe.
 *
 * <p>Password normalisation: RFC 5802 asks for SASLprep; this uses Unicode NFKC, SASLprep's mapping
 * step, and skips its prohibited-character checks. An ASCII password is unaffected either way.
 */
public final class Scram {
    /** Smallest iteration count accepted anywhere (RFC 7677 §4: at least 4096). */
    public static final int ITERATIONS_MIN = 4096;
    /** Largest iteration count a client will compute, so a hostile broker cannot make it spin. */
    public static final int ITERATIONS_MAX = 1_000_000;
    /** Iterations for a new credential when none is given. */
    public static final int ITERATIONS_DEFAULT = 8192;
    /** Salt of a new credential, bytes. */
    public static final int SALT_BYTES = 16;
    /** Shortest salt accepted, bytes. */
    public static final int SALT_BYTES_MIN = 8;
    /** SHA-256 output, bytes. */
    public static final int KEY_BYTES = 32;
    /** Random bytes in each side's nonce (base64-encoded on the wire). */
    public static final int NONCE_BYTES = 18;
    /** Longest SCRAM message either side accepts, bytes. */
    public static final int MESSAGE_BYTES_MAX = 4096;

    private Scram() {
    }

    /** A new credential for {@code password} with a random salt. */
    public static ScramCredential newCredential(char[] password, int iterations, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return credential(password, salt, iterations);
    }

    /**
     * The credential for {@code password}, {@code salt} and {@code iterations}.
     *
     * @throws IllegalArgumentException for iterations outside {@link #ITERATIONS_MIN}..{@link #ITERATIONS_MAX},
     *     before any hashing
     */
    public static ScramCredential credential(char[] password, byte[] salt, int iterations) {
        requireIterations(iterations); // before PBKDF2: 2^31 iterations would hash for tens of minutes, then be refused
        byte[] salted = saltedPassword(password, salt, iterations);
        return new ScramCredential(salt, iterations, hash(clientKey(salted)), serverKey(salted));
    }

    /** @throws IllegalArgumentException for iterations outside {@link #ITERATIONS_MIN}..{@link #ITERATIONS_MAX} */
    static void requireIterations(int iterations) {
        if (iterations < ITERATIONS_MIN || iterations > ITERATIONS_MAX) {
            throw new IllegalArgumentException("iterations " + iterations + " outside " + ITERATIONS_MIN + ".."
                    + ITERATIONS_MAX + " (ITERATIONS_MIN, ITERATIONS_MAX)");
        }
    }

    /** {@code Hi(Normalize(password), salt, i)}: PBKDF2 with HMAC-SHA-256, 32 bytes. */
    public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
        char[] normalized = Normalizer.normalize(java.nio.CharBuffer.wrap(password), Normalizer.Form.NFKC).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(normalized, salt, iterations, KEY_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks PBKDF2WithHmacSHA256, which every Java 17 has", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(normalized, '\0');
        }
    }

    static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key");
    }

    static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key");
    }

    static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks HmacSHA256, which every Java 17 has", e);
        }
    }

    static byte[] hash(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java 17 has", e);
        }
    }

    static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("xor of " + a.length + " and " + b.length + " bytes");
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    /** A fresh printable nonce: base64 of {@link #NONCE_BYTES} random bytes (never contains ','). */
    static String nonce(SecureRandom random) {
        byte[] b = new byte[NONCE_BYTES];
        random.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** RFC 5802 saslname: '=' and ',' escaped as "=3D" and "=2C". */
    static String escapeName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    static String unescapeName(String saslname) throws ScramException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < saslname.length(); i++) {
            char c = saslname.charAt(i);
            if (c == ',') {
                throw new ScramException("unescaped ',' in user name");
            }
            if (c != '=') {
                out.append(c);
            } else if (saslname.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else if (saslname.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else {
                throw new ScramException("bad escape in user name (only =3D and =2C are allowed)");
            }
        }
        return out.toString();
    }
}
