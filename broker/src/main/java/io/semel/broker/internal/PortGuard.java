package io.semel.broker.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.FrameCodec;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: looks at the first bytes to tell a TLS client from a
 * plain one, so a mismatch gets a clear answer instead of a hang or garbage, then steps aside.
 *
 * <pre>
 * port     first bytes               action
 * -------  ------------------------  ------------------------------------------------------------
 * TLS      a TLS record (0x14-0x17,  put an SslHandler in its place: the handshake goes on
 *          then 0x03)
 * TLS      anything else             answer a plain-text TLS_REQUIRED error frame for the request
 *                                    (its api key and id read from the frame header), then close
 * plain    a TLS record              log that a TLS client reached a plain port, close
 * plain    anything else             remove itself: frames go on to the frame decoder
 * </pre>
 *
 * <p>A Semel frame starts with its int32 length, whose first byte is 0 for any frame up to 16 MiB,
 * so it never looks like a TLS record. One instance per connection; event-loop confined.
 */
final class PortGuard extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(PortGuard.class);
    /** Bytes of a frame up to the end of its request id: length, api key, version, request id. */
    private static final int FRAME_HEADER_BYTES = FrameCodec.LENGTH_FIELD_BYTES + FrameCodec.HEADER_BYTES;

    private final BrokerSecurity security;

    PortGuard(BrokerSecurity security) {
        this.security = security;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            return;
        }
        int type = in.getUnsignedByte(in.readerIndex());
        boolean tlsRecord = type >= 0x14 && type <= 0x17 && in.getUnsignedByte(in.readerIndex() + 1) == 0x03;
        if (security.tlsEnabled()) {
            // The TLS boundary: on a TLS port nothing but a TLS handshake ever reaches the frame decoder.
            if (tlsRecord) {
                startTls(ctx);
            } else {
                refusePlainText(ctx, in);
            }
        } else if (tlsRecord) {
            LOG.warn("closing connection from {}: it started a TLS handshake but this port is plain TCP (tls.keyFile "
                    + "is not set); the client has TLS on and must turn it off, or the broker must turn TLS on",
                    ctx.channel().remoteAddress());
            in.skipBytes(in.readableBytes());
            ctx.close();
        } else {
            ctx.pipeline().remove(this);
        }
    }

    private void startTls(ChannelHandlerContext ctx) {
        SslHandler ssl = security.newSslHandler(ctx.alloc());
        ssl.handshakeFuture().addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), f.cause().getMessage());
            }
        });
        ctx.pipeline().addAfter(ctx.name(), "tls", ssl);
        ctx.pipeline().remove(this); // hands the buffered bytes to the SslHandler
    }

    private void refusePlainText(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < FRAME_HEADER_BYTES) {
            return; // wait for the header so the answer can carry the request's id
        }
        short apiKey = in.getShort(in.readerIndex() + 4);
        int requestId = in.getInt(in.readerIndex() + 8);
        in.skipBytes(in.readableBytes());
        LOG.warn("closing plain-text connection from {}: this port accepts TLS only", ctx.channel().remoteAddress());
        ByteBuf answer = Unpooled.wrappedBuffer(FrameCodec.encodeErrorFrame(apiKey, requestId, ErrorCode.TLS_REQUIRED, "this broker port accepts TLS connections "
                + "only; connect with TLS (the CLI's --tls-ca CA-FILE, or tls.caFile in a --client-config file)"));
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }
}
