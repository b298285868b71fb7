package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * The broker authenticated the user but no ACL allows this operation (for example producing to a
 * topic the user may only consume). The request was not carried out; the connection stays usable
 * for other requests. An administrator grants access with {@code semel acl add}; the message says
 * which grant is missing.
 */
public class AuthorizationException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public AuthorizationException(String message) {
        super(ErrorCode.AUTHORIZATION_FAILED, false, message, null);
    }
}
