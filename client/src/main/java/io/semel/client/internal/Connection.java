package io.semel.client.internal;

import io.semel.client.AuthorizationException;
import io.semel.client.ClientTls;
import io.semel.client.DefiniteFailureException;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.SemelException;
import io.semel.client.TlsException;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Hello;
import io.semel.protocol.Protocol;
import io.semel.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to the broker: pipelined requests, answered in order, read by one reader
 * thread. Thread-safe. Single use: once broken (I/O error, protocol violation, request timeout,
 * {@link #close}) it stays closed and every unanswered request fails with
 * {@link OutcomeUnknownException}; {@link BrokerChannel} makes a new one.
 *
 * <p>Why a request timeout closes the connection: answers come in request order, so a request
 * that is not answered holds up everything behind it; and an answer that arrives after the caller
 * gave up must not be mistaken for the answer to a later request.
 *
 * <p>Locks: {@code writeLock} serialises frames on the socket and is held while writing one frame
 * (the socket's own exclusive ownership; a stalled broker is bounded by the request timeout,
 * which closes the socket and so unblocks the write). {@code stateLock} guards the queue of
 * unanswered requests and is never held across I/O. Order: writeLock, then stateLock. Futures are
 * completed with no lock held, on the reader thread (or the closing thread).
 */
public final class Connection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** The reader's buffer, bytes; a frame larger than this is read into an array of its own. */
    public static final int READ_BUFFER_BYTES = 64 * 1024;

    private record Pending(int requestId, ApiKey apiKey, CompletableFuture<ApiResponse> future, long deadlineNanos,
            long timeoutMs) {
    }

    private final ConnectionSettings settings;
    private final Socket socket;
    private final OutputStream out;
    private final Thread reader;
    private final Object writeLock = new Object();
    private final Object stateLock = new Object();
    /** Guarded by stateLock. Unanswered requests in the order they were written. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Guarded by stateLock. Why the connection closed, or null while open. */
    private String closedReason;
    /** Guarded by writeLock. */
    private int nextRequestId;
    private volatile FrameCodec codec = new FrameCodec();
    private volatile Hello.Response hello;
    /** A typed reason the connection broke (TLS mismatch), thrown by the handshake instead of a generic one. */
    private volatile SemelException fatal;
    /** Set before a request deadline breaks the connection: the handshake tells a silent peer from one that closed. */
    private volatile boolean deadlineMissed;
    /** Only the reader thread touches this: whether any frame arrived yet. */
    private boolean sawFrame;

    private Connection(ConnectionSettings settings, Socket socket) throws IOException {
        this.settings = settings;
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.reader = new Thread(this::readLoop, "semel-conn-reader-" + settings.clientId() + "-" + settings.address());
        reader.setDaemon(true);
    }

    /**
     * Connects, starts the reader thread and completes HELLO. Blocks up to connectTimeoutMs plus
     * requestTimeoutMs.
     *
     * @throws DefiniteFailureException AUTHENTICATION_FAILED / UNSUPPORTED_VERSION (not retriable),
     *     or could not connect (retriable, errorCode NONE); nothing else was sent
     */
    public static Connection open(ConnectionSettings settings) {
        Socket socket = new Socket();
        Connection c;
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(settings.host(), settings.port()), settings.connectTimeoutMs());
            ClientTls tls = settings.security().tls();
            if (tls != null) {
                socket = TlsSockets.wrap(socket, TlsSockets.context(tls), tls, settings); // throws TlsException
            }
            socket.setSoTimeout(tickMs(settings.requestTimeoutMs()));
            c = new Connection(settings, socket);
        } catch (TlsException e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new DefiniteFailureException(ErrorCode.NONE, true, "could not connect to broker "
                    + settings.address() + " within " + settings.connectTimeoutMs() + " ms: " + e
                    + "; check that the broker runs and the bootstrap address is right", e);
        }
        c.reader.start();
        c.handshake();
        return c;
    }

    private void handshake() {
        Hello.Response resp = (Hello.Response) handshakeCall(new Hello.Request(settings.clientId(),
                Protocol.PROTOCOL_VERSION));
        if (resp.error() == ErrorCode.TLS_REQUIRED) {
            close();
            throw new TlsException(resp.error(), "broker " + settings.address() + " accepts TLS connections only: "
                    + "connect with TLS (--tls-ca CA-FILE, or tls.caFile in --client-config)", null);
        }
        if (resp.error() != ErrorCode.NONE) {
            close();
            throw new DefiniteFailureException(resp.error(), false, "broker " + settings.address()
                    + " refused HELLO from '" + settings.clientId() + "': " + resp.error() + " ("
                    + resp.error().code() + ") " + resp.errorMessage(), null);
        }
        try {
            ScramLogin.run(resp, settings.security(), settings.address(), this::handshakeCall);
        } catch (SemelException e) {
            close();
            throw e;
        }
        if (resp.maxFrameBytes() >= FrameCodec.HEADER_BYTES) {
            codec = new FrameCodec(resp.maxFrameBytes());
        }
        hello = resp;
        log.debug("connected to {} (broker {}, maxFrameBytes {}, maxBatchBytes {})", settings.address(),
                resp.brokerId(), resp.maxFrameBytes(), resp.maxBatchBytes());
    }

    /** One request of the handshake (HELLO, AUTHENTICATE), waited for; failures close the connection. */
    private ApiResponse handshakeCall(ApiRequest req) {
        try {
            return send(req, 0).get(settings.requestTimeoutMs() + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            if (fatal != null) {
                throw fatal;
            }
            // The peer closed (not a timeout) before answering the first request over TLS: its certificate verdict.
            if (settings.security().tls() != null && req instanceof Hello.Request && !deadlineMissed) {
                throw TlsSockets.closedAfterHandshake(e.getCause(), settings.security().tls(), settings.address());
            }
            throw new DefiniteFailureException(ErrorCode.NONE, true, req.apiKey() + " to " + settings.address()
                    + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new DefiniteFailureException(ErrorCode.NONE, true, req.apiKey() + " to " + settings.address()
                    + " got no answer", e);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new DefiniteFailureException(ErrorCode.NONE, true, "interrupted during " + req.apiKey(), e);
        }
    }

    /** The broker's limit on one record batch, bytes (from HELLO); 0 when unknown. */
    public int maxBatchBytes() {
        Hello.Response h = hello;
        return h == null ? 0 : h.maxBatchBytes();
    }

    /** The frame limit in force on this connection, bytes. */
    public int maxFrameBytes() {
        return codec.maxFrameBytes();
    }

    public boolean isOpen() {
        synchronized (stateLock) {
            return closedReason == null;
        }
    }

    /**
     * Sends one request. Never throws: the future fails with {@link OutcomeUnknownException} when
     * the request was written but not answered within requestTimeoutMs + extraWaitMs, or the
     * connection broke; with a retriable {@link DefiniteFailureException} when the connection was
     * already closed (nothing sent); with a {@link DefiniteFailureException} MESSAGE_TOO_LARGE when
     * the frame exceeds maxFrameBytes.
     *
     * @param extraWaitMs time the broker may legitimately hold the request (a POLL's maxWaitMs)
     */
    public CompletableFuture<ApiResponse> send(ApiRequest request, long extraWaitMs) {
        CompletableFuture<ApiResponse> future = new CompletableFuture<>();
        long timeoutMs = settings.requestTimeoutMs() + extraWaitMs;
        IOException failure = null;
        synchronized (writeLock) {
            int id = nextRequestId++;
            ByteBuffer frame;
            try {
                frame = codec.encodeRequest(id, request);
            } catch (ProtocolException e) {
                future.completeExceptionally(new DefiniteFailureException(e.errorCode(), false,
                        e.getMessage() + "; nothing was sent", e));
                return future;
            }
            synchronized (stateLock) {
                if (closedReason != null) {
                    future.completeExceptionally(new DefiniteFailureException(ErrorCode.NONE, true,
                            request.apiKey() + " not sent: connection to " + settings.address() + " is closed ("
                                    + closedReason + ")", null));
                    return future;
                }
                pending.add(new Pending(id, request.apiKey(), future, System.nanoTime()
                        + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs));
            }
            try {
                out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
                out.flush();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            fail("write failed: " + failure);
        }
        return future;
    }

    private void readLoop() {
        ByteBuffer acc = ByteBuffer.allocate(READ_BUFFER_BYTES);
        try {
            InputStream in = socket.getInputStream();
            while (isOpen()) {
                int n;
                try {
                    n = in.read(acc.array(), acc.position(), acc.remaining());
                } catch (SocketTimeoutException tick) {
                    checkDeadlines();
                    continue;
                }
                if (n < 0) {
                    fail("broker closed the connection");
                    return;
                }
                acc.position(acc.position() + n);
                acc.flip();
                if (!sawFrame && TlsSockets.looksLikeTls(acc)) {
                    failTls();
                    return;
                }
                Optional<Frame> frame;
                while ((frame = codec.next(acc)).isPresent()) {
                    onFrame(frame.get());
                }
                int frameBytes = codec.frameBytes(acc);
                if (frameBytes > READ_BUFFER_BYTES) {
                    // A large frame (a POLL answer of thousands of messages): its rest goes straight into
                    // an array of its own, which becomes the frame, instead of through acc and a copy.
                    byte[] whole = new byte[frameBytes];
                    int have = acc.remaining();
                    acc.get(whole, 0, have);
                    if (!readFully(in, whole, have)) {
                        return;
                    }
                    onFrame(codec.frameOf(whole));
                }
                // acc never fills: what stays in it is less than a frame of at most READ_BUFFER_BYTES
                // (ConnectionTest.framesAtTheReadBufferSizeArriveWhole). Were it full, a read of 0 bytes
                // would spin: fail the connection instead.
                acc.compact();
                if (!acc.hasRemaining()) {
                    throw new IllegalStateException("read buffer of " + READ_BUFFER_BYTES + " bytes full with no frame");
                }
                checkDeadlines();
            }
        } catch (ProtocolException e) {
            fail("protocol violation by the broker: " + e.getMessage());
        } catch (IOException e) {
            if (e instanceof javax.net.ssl.SSLException && settings.security().tls() != null) {
                // Under TLS 1.3 the broker judges our certificate after our handshake ended: its alert arrives here.
                fatal = TlsSockets.explain(e, settings.security().tls(), settings.address());
            }
            fail("read failed: " + e);
        } catch (RuntimeException e) {
            log.error("connection reader for {} failed", settings.address(), e);
            fail("reader failed: " + e);
        }
    }

    /**
     * Reads into {@code into} from {@code from} to its end, checking deadlines on each read timeout.
     * False when the connection failed or closed meanwhile (then it was failed here).
     */
    private boolean readFully(InputStream in, byte[] into, int from) throws IOException {
        int at = from;
        while (at < into.length) {
            if (!isOpen()) {
                return false;
            }
            int n;
            try {
                n = in.read(into, at, into.length - at);
            } catch (SocketTimeoutException tick) {
                checkDeadlines();
                continue;
            }
            if (n < 0) {
                fail("broker closed the connection");
                return false;
            }
            at += n;
        }
        return true;
    }

    private void onFrame(Frame frame) throws ProtocolException {
        Pending p;
        synchronized (stateLock) {
            p = pending.poll();
        }
        if (p == null || p.requestId() != frame.requestId() || p.apiKey().id() != frame.apiKeyId()) {
            throw new ProtocolException(ErrorCode.INVALID_REQUEST, "answer for request " + frame.requestId()
                    + " (api key " + frame.apiKeyId() + ") but the oldest unanswered request is "
                    + (p == null ? "none" : p.requestId() + " (" + p.apiKey() + ")"));
        }
        sawFrame = true;
        ApiResponse response = codec.decodeResponse(frame);
        if (response.error() == ErrorCode.AUTHORIZATION_FAILED) {
            // Typed, so every caller (producer, consumer, admin) reports it the same way, as one clear line.
            p.future().completeExceptionally(new AuthorizationException(p.apiKey() + " refused by broker "
                    + settings.address() + ": " + response.errorMessage()));
            return;
        }
        p.future().complete(response);
    }

    private void failTls() {
        fatal = new TlsException(ErrorCode.TLS_REQUIRED, "broker " + settings.address() + " answered with TLS: that "
                + "port speaks TLS only; connect with TLS (--tls-ca CA-FILE, or tls.caFile in --client-config)", null);
        fail("the broker answered with TLS bytes; the port needs TLS");
    }

    private void checkDeadlines() {
        long now = System.nanoTime();
        Pending late = null;
        synchronized (stateLock) {
            for (Pending p : pending) {
                if (now - p.deadlineNanos() > 0) {
                    late = p;
                    break;
                }
            }
        }
        if (late != null) {
            deadlineMissed = true;
            fail(late.apiKey() + " request " + late.requestId() + " got no answer within " + late.timeoutMs()
                    + " ms (requestTimeoutMs)");
        }
    }

    /** Breaks the connection: every unanswered request's outcome becomes unknown. */
    private void fail(String reason) {
        List<Pending> failed;
        synchronized (stateLock) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            failed = new ArrayList<>(pending);
            pending.clear();
        }
        closeQuietly(socket);
        if (!failed.isEmpty()) {
            log.info("connection to {} closed with {} unanswered requests: {}", settings.address(), failed.size(), reason);
        }
        for (Pending p : failed) {
            p.future().completeExceptionally(new OutcomeUnknownException(p.apiKey() + " request " + p.requestId()
                    + " to " + settings.address() + " was sent but not answered: " + reason
                    + "; it may or may not have taken effect"));
        }
    }

    /** Closes the socket; unanswered requests fail with {@link OutcomeUnknownException}. */
    @Override
    public void close() {
        fail("closed by the client");
        if (Thread.currentThread() != reader) {
            try {
                reader.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The reader wakes this often to enforce request deadlines, ms. */
    static int tickMs(int requestTimeoutMs) {
        return Math.max(5, Math.min(50, requestTimeoutMs / 10));
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("closing socket", e);
        }
    }

    /** Unwraps a CompletableFuture failure into the client's exception type. */
    public static SemelException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof SemelException s) {
            return s;
        }
        return new SemelException(ErrorCode.UNKNOWN_SERVER_ERROR, false, "unexpected client failure: " + c, c);
    }
}
