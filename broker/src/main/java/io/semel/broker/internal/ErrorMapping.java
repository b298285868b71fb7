package io.semel.broker.internal;

import io.semel.log.AppendRejectedException;
import io.semel.log.StorageFullException;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where an exception becomes a wire error. Thread-safe.
 *
 * <pre>
 * exception                                error code             note
 * ---------------------------------------  ---------------------  -------------------------------
 * RequestException, AppendRejectedException  its own code         nothing was written
 * StorageFullException                     NOT_ENOUGH_SPACE       retriable
 * other IOException                        STORAGE_ERROR          retriable; outcome unknown
 * anything while shutting down             BROKER_SHUTTING_DOWN   retriable
 * anything else                            UNKNOWN_SERVER_ERROR   logged with its stack trace
 * </pre>
 */
public final class ErrorMapping {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private volatile boolean shuttingDown;

    public void startShutdown() {
        shuttingDown = true;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** The error response of {@code key} for {@code failure}; {@code what} names the operation. */
    public ApiResponse toResponse(ApiKey key, Throwable failure, String what) {
        Throwable e = unwrap(failure);
        ErrorCode code;
        String message;
        if (e instanceof RequestException r) {
            code = r.errorCode();
            message = r.getMessage();
        } else if (e instanceof AppendRejectedException r) {
            code = r.errorCode();
            message = r.getMessage();
        } else if (e instanceof StorageFullException) {
            code = ErrorCode.NOT_ENOUGH_SPACE;
            message = what + ": broker disk is full (" + e.getMessage() + "); retry after space is freed";
        } else if (e instanceof IOException) {
            code = ErrorCode.STORAGE_ERROR;
            message = what + ": storage failure (" + e.getMessage() + "); outcome unknown, retry the same request";
            LOG.warn("{} failed with a storage error", what, e);
        } else if (shuttingDown) {
            code = ErrorCode.BROKER_SHUTTING_DOWN;
            message = what + ": broker is shutting down; retry after it restarts";
        } else {
            code = ErrorCode.UNKNOWN_SERVER_ERROR;
            message = what + ": unexpected broker error " + e + "; see the broker log";
            LOG.error("{} failed unexpectedly", what, e);
        }
        return Messages.errorResponse(key, code, message);
    }

    /** Strips the wrappers futures and lambdas put around the real cause. */
    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
