package io.semel.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The broker side of one SCRAM-SHA-256 exchange. Not thread-safe; single use (one per connection).
 *
 * <pre>
 * state               event                                   next
 * ------------------  --------------------------------------  ------------------
 * AWAITING_FIRST      firstResponse(client-first)             AWAITING_FINAL
 * AWAITING_FINAL      finalResponse(client-final), proof ok   SUCCEEDED
 * any                 malformed message or wrong proof        FAILED (terminal)
 * </pre>
 *
 * <p>An unknown user is not told apart from a wrong password: the exchange goes on with a decoy
 * credential (salt derived from the name and a per-broker secret, so repeated attempts see the same
 * salt) and fails at the proof, with the same message.
 */
public final class ScramServer {
    /** The exchange's states; see the class table. */
    public enum State { AWAITING_FIRST, AWAITING_FINAL, SUCCEEDED, FAILED }

    /** What a failed proof says, whatever the cause, so a client cannot probe which users exist. */
    public static final String BAD_CREDENTIALS = "unknown user or wrong password";
    /** Longest user name, UTF-8 bytes. */
    public static final int USER_BYTES_MAX = 255;

    private final Function<String, Optional<ScramCredential>> credentials;
    private final byte[] decoySecret;
    private final String serverNonce;
    private State state = State.AWAITING_FIRST;
    private String user;
    private ScramCredential credential;
    private boolean known;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    /**
     * @param credentials looks a user up (called once per exchange)
     * @param decoySecret per-broker secret for the decoy salt of unknown users
     * @param random source of the server nonce
     */
    public ScramServer(Function<String, Optional<ScramCredential>> credentials, byte[] decoySecret,
            SecureRandom random) {
        this(credentials, decoySecret, Scram.nonce(random));
    }

    /** With a given nonce: for the RFC 7677 test vector. */
    public ScramServer(Function<String, Optional<ScramCredential>> credentials, byte[] decoySecret,
            String serverNonce) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.decoySecret = decoySecret.clone();
        this.serverNonce = Objects.requireNonNull(serverNonce, "serverNonce");
    }

    public State state() {
        return state;
    }

    /** The user the client named; set after the first step, authenticated only in SUCCEEDED. */
    public String user() {
        return user;
    }

    /** server-first-message for client-first. */
    public byte[] firstResponse(byte[] clientFirst) throws ScramException {
        expect(State.AWAITING_FIRST);
        state = State.FAILED;
        String text = Attributes.utf8(clientFirst);
        if (!text.startsWith("n,,")) {
            // 'y' or 'p' would ask for channel binding, which this broker does not offer.
            throw new ScramException("client-first must start with gs2 header 'n,,' (no channel binding, no authzid)");
        }
        clientFirstBare = text.substring(3);
        Attributes a = Attributes.parse(clientFirstBare);
        if (a.get('m') != null) {
            throw new ScramException("SCRAM extensions are not supported");
        }
        user = Scram.unescapeName(a.require('n'));
        if (user.isEmpty() || user.getBytes(StandardCharsets.UTF_8).length > USER_BYTES_MAX) {
            throw new ScramException("user name must be 1.." + USER_BYTES_MAX + " bytes");
        }
        String clientNonce = a.require('r');
        if (clientNonce.isEmpty()) {
            throw new ScramException("client nonce is empty");
        }
        Optional<ScramCredential> found = credentials.apply(user);
        known = found.isPresent();
        credential = found.orElseGet(this::decoy);
        nonce = clientNonce + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt()) + ",i="
                + credential.iterations();
        state = State.AWAITING_FINAL;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * server-final-message for client-final: {@code v=signature} when the proof is right.
     *
     * @throws ScramException {@link #BAD_CREDENTIALS} for a wrong proof or an unknown user; other
     *     messages for a malformed client-final
     */
    public byte[] finalResponse(byte[] clientFinal) throws ScramException {
        expect(State.AWAITING_FINAL);
        state = State.FAILED;
        String text = Attributes.utf8(clientFinal);
        int proofAt = text.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw new ScramException("client-final lacks the proof");
        }
        String withoutProof = text.substring(0, proofAt);
        Attributes a = Attributes.parse(text);
        if (!"biws".equals(a.require('c'))) {
            throw new ScramException("channel binding 'c' must be biws (base64 of 'n,,')");
        }
        if (!nonce.equals(a.require('r'))) {
            throw new ScramException("client-final nonce does not match the exchange's");
        }
        byte[] proof = a.base64('p');
        if (proof.length != Scram.KEY_BYTES) {
            throw new ScramException(BAD_CREDENTIALS);
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = Scram.hmac(credential.storedKey(), authMessage);
        byte[] clientKey = Scram.xor(proof, clientSignature);
        boolean proofOk = MessageDigest.isEqual(Scram.hash(clientKey), credential.storedKey());
        if (!proofOk || !known) {
            throw new ScramException(BAD_CREDENTIALS);
        }
        state = State.SUCCEEDED;
        byte[] serverSignature = Scram.hmac(credential.serverKey(), authMessage);
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    /** The same salt every time for the same name, so probing twice does not reveal a decoy. */
    private ScramCredential decoy() {
        byte[] salt = java.util.Arrays.copyOf(Scram.hmac(decoySecret, "salt:" + user), Scram.SALT_BYTES);
        byte[] key = Scram.hmac(decoySecret, "key:" + user);
        return new ScramCredential(salt, Scram.ITERATIONS_DEFAULT, key, key);
    }

    private void expect(State wanted) {
        if (state != wanted) {
            throw new IllegalStateException("SCRAM server in state " + state + ", this step needs " + wanted);
        }
    }
}
