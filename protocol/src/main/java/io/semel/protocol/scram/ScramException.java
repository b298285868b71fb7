package io.semel.protocol.scram;

/**
 * A SCRAM exchange cannot go on: a malformed message, a wrong proof, a broker signature that does
 * not verify. The message says which; it never contains a password, key or proof.
 */
public final class ScramException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScramException(String message) {
        super(message);
    }
}
