package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The broker did not accept who the client says it is: unknown user or wrong password (the broker
 * does not say which), no credentials for a broker that requires them, or a broker that could not
 * prove it holds the user's credential. Nothing was done; retrying with the same credentials
 * cannot succeed.
 */
public class AuthenticationException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message, Throwable cause) {
        super(ErrorCode.AUTHENTICATION_FAILED, false, message, cause);
    }
}
