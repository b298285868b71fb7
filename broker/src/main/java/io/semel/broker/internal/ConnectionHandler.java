package io.semel.broker.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.semel.broker.BrokerConfig;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.Authenticate;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Hello;
import io.semel.protocol.Messages;
import io.semel.protocol.Produce;
import io.semel.protocol.Protocol;
import io.semel.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the handshake rule, dispatch, and the <em>response sequencer</em>.
 *
 * <p>Requests may complete out of order (different partitions' writers, long-polls), but answers
 * leave in request order: each request takes a slot at the tail of {@link #pending}; whenever a
 * future completes, the event loop writes every completed slot from the head and stops at the
 * first one still open. At most {@code maxInFlightRequestsPerConnection} slots are open before the
 * handler stops reading from the socket (TCP back-pressure), resuming at half.
 *
 * <p>Closing after an answer (failed HELLO, framing error) sets {@link #closing}: frames that
 * arrive later are dropped, and the channel closes once every earlier answer is written.
 *
 * <p>Event-loop confined: every field is touched only on this channel's event loop; futures
 * completed elsewhere hop back with {@code execute}. Not thread-safe otherwise.
 */
public final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    private final BrokerConfig config;
    private final FrameCodec codec;
    private final RequestDispatcher dispatcher;
    private final ErrorMapping errors;
    private final AtomicInteger brokerInFlight;
    private final BrokerMetrics metrics;
    private final ConnectionSecurity security;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean helloDone;
    private boolean closing;
    private String clientId = "?";

    /** One request's place in the answer order. {@code bytes} is set for answers known at once. */
    /** @param version the request's version: its answer is written in that version's layout */
    private record Slot(int requestId, ApiKey key, short version, CompletableFuture<? extends ApiResponse> future,
            ByteBuffer bytes, long startNanos) {
        Slot(int requestId, ApiKey key, short version, CompletableFuture<? extends ApiResponse> future, ByteBuffer bytes) {
            this(requestId, key, version, future, bytes, System.nanoTime());
        }

        boolean ready() {
            return bytes != null || future.isDone();
        }
    }

    public ConnectionHandler(BrokerConfig config, FrameCodec codec, RequestDispatcher dispatcher, ErrorMapping errors,
            AtomicInteger brokerInFlight, BrokerMetrics metrics, BrokerSecurity security) {
        this.metrics = metrics;
        this.security = new ConnectionSecurity(security);
        this.config = config;
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.errors = errors;
        this.brokerInFlight = brokerInFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (closing) {
            return; // after a fatal answer nothing else from this peer is read
        }
        if (msg instanceof ProtocolException e) {
            onFramingError(e);
        } else if (msg instanceof Frame frame) {
            onFrame(frame);
        }
        writeReady();
    }

    private void onFramingError(ProtocolException e) {
        LOG.info("closing connection from {} (client {}): {}", ctx.channel().remoteAddress(), clientId, e.getMessage());
        FrameCodec.errorFrameFor(e).ifPresent(b -> enqueue(new Slot(e.requestId(), null, (short) 0, null, b)));
        closing = true;
    }

    private void onFrame(Frame frame) {
        ApiRequest request;
        try {
            request = codec.decodeRequest(frame);
        } catch (ProtocolException e) {
            FrameCodec.errorFrameFor(e).ifPresent(b -> enqueue(new Slot(frame.requestId(), null, (short) 0, null, b)));
            if (e.closeConnection()) {
                LOG.info("closing connection from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
                closing = true;
            }
            return;
        }
        ApiKey key = request.apiKey();
        if (request instanceof Produce.Request produce) {
            metrics.produceReceived(produce.batch().recordCount(), produce.batch().sizeInBytes());
        }
        if (request instanceof Hello.Request hello) {
            answerNow(frame.requestId(), request, hello(hello));
        } else if (!helloDone) {
            // The handshake rule: nothing but HELLO until one succeeded.
            ErrorCode code = security.mechanism() != null ? ErrorCode.AUTHENTICATION_FAILED : ErrorCode.INVALID_REQUEST;
            answerNow(frame.requestId(), request, Messages.errorResponse(key, code, key + " before HELLO; send HELLO "
                    + "first on every connection"));
            closing = true;
        } else if (!security.authenticated()) {
            authenticate(frame.requestId(), request); // security: the SCRAM exchange comes before anything else
        } else if (request instanceof Authenticate.Request) {
            authenticate(frame.requestId(), request); // a second exchange: refused and closed
        } else if (errors.shuttingDown()) {
            answerNow(frame.requestId(), request, Messages.errorResponse(key, ErrorCode.BROKER_SHUTTING_DOWN,
                    "broker is shutting down; retry after it restarts"));
        } else {
            ApiResponse denied = security.deny(request); // security: one authorization check per request
            if (denied != null) {
                LOG.info("denied {} from {} (user {}): {}", key, ctx.channel().remoteAddress(),
                        security.principal().name(), denied.errorMessage());
                answerNow(frame.requestId(), request, denied);
                return;
            }
            CompletableFuture<? extends ApiResponse> future;
            try {
                future = dispatcher.handle(request, ctx.executor());
            } catch (RuntimeException e) {
                future = CompletableFuture.completedFuture(errors.toResponse(key, e, key.toString()));
            }
            enqueue(new Slot(frame.requestId(), key, request.apiVersion(), future, null));
            if (!future.isDone()) {
                future.whenComplete((r, e) -> {
                    if (ctx.executor().inEventLoop()) {
                        writeReady();
                    } else {
                        ctx.executor().execute(this::writeReady);
                    }
                });
            }
        }
    }

    private ApiResponse hello(Hello.Request hello) {
        clientId = hello.clientId();
        short version = (short) Math.min(hello.protocolVersion(), Protocol.PROTOCOL_VERSION);
        if (version < 1) {
            closing = true;
            return Hello.Response.error(ErrorCode.UNSUPPORTED_VERSION, "client speaks protocol " + hello.protocolVersion()
                    + ", this broker 1.." + Protocol.PROTOCOL_VERSION);
        }
        helloDone = true;
        LOG.debug("client {} connected from {}", clientId, ctx.channel().remoteAddress());
        return new Hello.Response(ErrorCode.NONE, null, config.brokerId(), version, config.maxFrameBytes(),
                config.maxBatchBytes(), security.mechanism());
    }

    /** Before the SCRAM exchange succeeded only AUTHENTICATE is answered; a failure closes. */
    private void authenticate(int requestId, ApiRequest request) {
        if (request instanceof Authenticate.Request auth) {
            answerNow(requestId, request, security.authenticate(auth));
        } else {
            answerNow(requestId, request, Messages.errorResponse(request.apiKey(), ErrorCode.AUTHENTICATION_FAILED,
                    request.apiKey() + " before authentication; this broker requires a SCRAM-SHA-256 exchange "
                            + "(AUTHENTICATE) after HELLO"));
            closing = true;
            return;
        }
        if (security.failed()) {
            // Never say which part was wrong; the log names the claimed user for the operator.
            LOG.warn("authentication failed for client {} from {} (user {})", clientId, ctx.channel().remoteAddress(),
                    security.claimedUser());
            closing = true;
        } else if (security.authenticated()) {
            LOG.debug("client {} from {} authenticated as {}", clientId, ctx.channel().remoteAddress(),
                    security.principal().name());
        }
    }

    private void answerNow(int requestId, ApiRequest request, ApiResponse response) {
        enqueue(new Slot(requestId, response.apiKey(), request.apiVersion(), CompletableFuture.completedFuture(response),
                null));
    }

    private void enqueue(Slot slot) {
        pending.addLast(slot);
        brokerInFlight.incrementAndGet();
        if (pending.size() >= config.maxInFlightRequestsPerConnection()) {
            updateReading();
        }
    }

    /** Writes every answer at the head that is ready, in order; closes when due. */
    private void writeReady() {
        boolean wrote = false;
        EncodeScratch scratch = EncodeScratch.ofThisThread();
        while (!pending.isEmpty() && pending.peekFirst().ready()) {
            Slot slot = pending.pollFirst();
            brokerInFlight.decrementAndGet();
            if (ctx.channel().isActive()) {
                ByteBuffer frame = encode(slot, scratch.take());
                // Copied out before the next answer reuses the scratch array: a TLS handler keeps what is
                // written until the flush below, after later answers were encoded into the same array (a
                // plain channel copies heap buffers at write time anyway). Pooled direct memory, which
                // the socket write needs. TlsPipelinedAnswersTest fails without the copy.
                ctx.write(ctx.alloc().directBuffer(frame.remaining()).writeBytes(frame.duplicate()));
                scratch.keep(slot.bytes() == null && frame.hasArray() ? frame.array() : null);
                wrote = true;
            }
        }
        if (closing && pending.isEmpty()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (wrote) {
            ctx.flush();
        }
        updateReading();
    }

    /**
     * Back-pressure: stop reading while too many answers are open or the peer is not reading its
     * answers (the outbound buffer is above Netty's high-water mark), so a client that pipelines
     * without reading cannot make the broker buffer without bound.
     */
    private void updateReading() {
        boolean wanted = !closing && ctx.channel().isWritable()
                && pending.size() <= config.maxInFlightRequestsPerConnection() / 2;
        boolean mustStop = pending.size() >= config.maxInFlightRequestsPerConnection() || !ctx.channel().isWritable();
        if (mustStop && ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        } else if (wanted && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        updateReading();
        context.fireChannelWritabilityChanged();
    }

    /** The answer's frame: encoded into {@code scratch} (or a larger array it grew into), or already encoded. */
    private ByteBuffer encode(Slot slot, byte[] scratch) {
        if (slot.bytes() != null) {
            return slot.bytes();
        }
        ApiResponse response;
        try {
            response = slot.future().join();
        } catch (RuntimeException e) {
            response = errors.toResponse(slot.key(), e, slot.key().toString());
        }
        metrics.answered(slot.key(), response, System.nanoTime() - slot.startNanos());
        try {
            return codec.encodeResponse(slot.requestId(), Messages.inVersion(response, slot.version()), scratch);
        } catch (ProtocolException | RuntimeException e) {
            LOG.error("cannot encode the {} answer to request {}", slot.key(), slot.requestId(), e);
            ErrorCode code = e instanceof ProtocolException p ? p.errorCode() : ErrorCode.UNKNOWN_SERVER_ERROR;
            return FrameCodec.encodeErrorFrame(slot.key().id(), slot.requestId(), code,
                    "the broker could not encode its answer: " + e.getMessage());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        // Resets and broken pipes are a peer's business; anything else is worth a stack trace.
        if (cause instanceof java.io.IOException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            LOG.debug("connection from {} failed: {}", context.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("connection from {} failed", context.channel().remoteAddress(), cause);
        }
        context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        // Nobody will read these answers: cancelling ends long-polls early (appends still finish).
        // A copy: cancelling runs completion callbacks, which take slots off the queue.
        for (Slot slot : java.util.List.copyOf(pending)) {
            if (slot.future() != null) {
                slot.future().cancel(false);
            }
        }
        writeReady();
        context.fireChannelInactive();
    }
}
