package io.semel.client.internal;

import io.semel.client.ClientClosedException;
import io.semel.client.DefiniteFailureException;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.SemelException;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Connection} that is remade on the next use after it breaks, with exponential backoff
 * between failed connects. Thread-safe. The monitor guards only the fields; connecting (blocking
 * I/O) happens outside it, by one thread at a time, while others wait on the monitor.
 */
public final class BrokerChannel implements AutoCloseable {
    private final ConnectionSettings settings;
    private Connection connection;
    private boolean connecting;
    private boolean closed;
    private long nextAttemptNanos;
    private long backoffMs;
    private String lastFailure;
    /** The last connect failure when it cannot heal by retrying (authentication, TLS): rethrown as is. */
    private DefiniteFailureException lastFatal;

    public BrokerChannel(ConnectionSettings settings) {
        this.settings = settings;
        this.backoffMs = settings.reconnectBackoffMs();
    }

    public ConnectionSettings settings() {
        return settings;
    }

    /**
     * Sends on the current connection, connecting first when there is none (blocking the caller up
     * to connectTimeoutMs + requestTimeoutMs). Never throws; see {@link Connection#send} for how the
     * future fails. During the reconnect backoff it fails at once, retriably, with nothing sent.
     */
    public CompletableFuture<ApiResponse> send(ApiRequest request, long extraWaitMs) {
        Connection c;
        try {
            c = connection();
        } catch (SemelException e) {
            return CompletableFuture.failedFuture(e);
        }
        return c.send(request, extraWaitMs);
    }

    /**
     * Sends and waits for the answer.
     *
     * @throws SemelException as the future of {@link #send} would fail
     */
    public <T extends ApiResponse> T call(ApiRequest request, Class<T> type, long extraWaitMs) {
        return await(send(request, extraWaitMs), request, type, extraWaitMs);
    }

    /**
     * Waits for the answer {@code f} of {@code request}, sent earlier with {@link #send}.
     *
     * @throws SemelException as the future of {@link #send} would fail
     */
    public <T extends ApiResponse> T await(CompletableFuture<ApiResponse> f, ApiRequest request, Class<T> type,
            long extraWaitMs) {
        try {
            // The connection enforces the request timeout; this bound only guards against a bug.
            return type.cast(f.get(settings.requestTimeoutMs() + extraWaitMs + 5_000L, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            throw Connection.unwrap(e);
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException(request.apiKey() + " got no answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException("interrupted while waiting for " + request.apiKey(), e);
        }
    }

    /** The broker's batch limit from the last HELLO, bytes; 0 before the first connection. */
    public synchronized int maxBatchBytes() {
        return connection == null ? 0 : connection.maxBatchBytes();
    }

    private Connection connection() {
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new ClientClosedException("connection to " + settings.address() + " is closed; nothing was sent");
                }
                if (connection != null && connection.isOpen()) {
                    return connection;
                }
                if (!connecting) {
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DefiniteFailureException(ErrorCode.NONE, true, "interrupted while connecting", e);
                }
            }
            long waitNanos = nextAttemptNanos - System.nanoTime();
            if (lastFatal != null && waitNanos > 0) {
                throw lastFatal;
            }
            if (lastFailure != null && waitNanos > 0) {
                throw new DefiniteFailureException(ErrorCode.NONE, true, "broker " + settings.address()
                        + " unavailable (" + lastFailure + "); next connect attempt in "
                        + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms; nothing was sent", null);
            }
            connecting = true;
        }
        Connection made = null;
        DefiniteFailureException failure = null;
        try {
            made = Connection.open(settings);
        } catch (DefiniteFailureException e) {
            failure = e;
        }
        synchronized (this) {
            connecting = false;
            notifyAll();
            if (failure != null) {
                lastFailure = failure.getMessage();
                lastFatal = failure.retriable() ? null : failure;
                nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
                backoffMs = Math.min(settings.reconnectBackoffMaxMs(), backoffMs * 2);
                throw failure;
            }
            if (closed) {
                made.close();
                throw new ClientClosedException("closed while connecting to " + settings.address());
            }
            lastFailure = null;
            lastFatal = null;
            backoffMs = settings.reconnectBackoffMs();
            connection = made;
            return made;
        }
    }

    /** Closes the current connection; unanswered requests fail with {@link OutcomeUnknownException}. */
    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
            notifyAll();
        }
        if (c != null) {
            c.close();
        }
    }
}
