package io.semel.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * The client side of one SCRAM-SHA-256 exchange. Not thread-safe; single use.
 *
 * <pre>
 * state               event                        next
 * ------------------  ---------------------------  ------------------
 * INITIAL             firstMessage()               FIRST_SENT
 * FIRST_SENT          finalMessage(server-first)   FINAL_SENT
 * FINAL_SENT          verify(server-final) ok      SUCCEEDED
 * any                 a check fails                FAILED (terminal)
 * </pre>
 */
public final class ScramClient {
    /** The exchange's states; see the class table. */
    public enum State { INITIAL, FIRST_SENT, FINAL_SENT, SUCCEEDED, FAILED }

    private static final String GS2_HEADER = "n,,";

    private final String user;
    private final char[] password;
    private final String clientNonce;
    private State state = State.INITIAL;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    /** @param random source of the client nonce; a fixed one only in tests */
    public ScramClient(String user, char[] password, SecureRandom random) {
        this(user, password, Scram.nonce(random));
    }

    /** With a given nonce: for the RFC 7677 test vector. */
    public ScramClient(String user, char[] password, String clientNonce) {
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password").clone();
        this.clientNonce = Objects.requireNonNull(clientNonce, "clientNonce");
    }

    public State state() {
        return state;
    }

    /** client-first-message: {@code n,,n=user,r=nonce}. */
    public byte[] firstMessage() {
        expect(State.INITIAL);
        clientFirstBare = "n=" + Scram.escapeName(user) + ",r=" + clientNonce;
        state = State.FIRST_SENT;
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * client-final-message for the broker's server-first-message.
     *
     * @throws ScramException when server-first is malformed, does not extend our nonce, has a salt
     *     shorter than {@link Scram#SALT_BYTES_MIN}, or asks for an iteration count outside {@link Scram#ITERATIONS_MIN}..{@link Scram#ITERATIONS_MAX}
     */
    public byte[] finalMessage(byte[] serverFirst) throws ScramException {
        expect(State.FIRST_SENT);
        state = State.FAILED; // until this step completes
        String serverFirstText = Attributes.utf8(serverFirst);
        Attributes a = Attributes.parse(serverFirstText);
        if (a.get('m') != null) {
            throw new ScramException("broker asks for a SCRAM extension this client does not know");
        }
        String nonce = a.require('r');
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new ScramException("broker's nonce does not extend the client's; refusing the exchange");
        }
        byte[] salt = a.base64('s');
        // The broker never stores a shorter one (ScramCredential); PBKDF2 refuses an empty one with an unchecked error.
        if (salt.length < Scram.SALT_BYTES_MIN) {
            throw new ScramException("broker sends a salt of " + salt.length + " bytes, at least "
                    + Scram.SALT_BYTES_MIN + " (SALT_BYTES_MIN)");
        }
        int iterations = a.integer('i');
        if (iterations < Scram.ITERATIONS_MIN || iterations > Scram.ITERATIONS_MAX) {
            throw new ScramException("broker asks for " + iterations + " iterations, outside "
                    + Scram.ITERATIONS_MIN + ".." + Scram.ITERATIONS_MAX);
        }
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirstText + "," + withoutProof;
        byte[] salted = Scram.saltedPassword(password, salt, iterations);
        byte[] clientKey = Scram.clientKey(salted);
        byte[] clientSignature = Scram.hmac(Scram.hash(clientKey), authMessage);
        byte[] proof = Scram.xor(clientKey, clientSignature);
        expectedServerSignature = Scram.hmac(Scram.serverKey(salted), authMessage);
        java.util.Arrays.fill(password, '\0');
        state = State.FINAL_SENT;
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks server-final: the broker proves it knows the ServerKey, so a client never talks to an
     * impostor that merely accepted any proof.
     *
     * @throws ScramException for an error answer ({@code e=...}) or a signature that does not verify
     */
    public void verify(byte[] serverFinal) throws ScramException {
        expect(State.FINAL_SENT);
        state = State.FAILED;
        Attributes a = Attributes.parse(Attributes.utf8(serverFinal));
        if (a.get('e') != null) {
            throw new ScramException("broker rejected the proof: " + a.get('e'));
        }
        if (!MessageDigest.isEqual(a.base64('v'), expectedServerSignature)) {
            throw new ScramException("broker's signature does not verify: it does not hold this user's credential");
        }
        state = State.SUCCEEDED;
    }

    private void expect(State wanted) {
        if (state != wanted) {
            throw new IllegalStateException("SCRAM client in state " + state + ", this step needs " + wanted);
        }
    }
}
