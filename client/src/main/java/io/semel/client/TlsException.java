package io.semel.client;

import io.semel.protocol.ErrorCode;

/**
 * TLS could not be set up with the broker: a plain-text client reached a TLS-only port
 * ({@link ErrorCode#TLS_REQUIRED}), a TLS client reached a plain-text port, the broker's
 * certificate is not signed by the configured CA or does not name the host, or the broker refused
 * the client's certificate. Nothing was sent beyond the handshake; the configuration must change.
 */
public class TlsException extends DefiniteFailureException {
    private static final long serialVersionUID = 1L;

    public TlsException(ErrorCode code, String message, Throwable cause) {
        super(code, false, message, cause);
    }
}
