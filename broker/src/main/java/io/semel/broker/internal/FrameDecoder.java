package io.semel.broker.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Cuts the inbound byte stream into {@link io.semel.protocol.Frame}s with {@link FrameCodec#next}.
 * A framing error is passed on as the {@link ProtocolException} itself (the connection handler
 * answers it and closes); after one, every further byte is discarded, since the stream position
 * can no longer be trusted. One instance per connection; event-loop confined.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final FrameCodec codec;
    private boolean failed;

    public FrameDecoder(FrameCodec codec) {
        this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        int before = view.position();
        try {
            Optional<io.semel.protocol.Frame> frame = codec.next(view);
            if (frame.isPresent()) {
                in.skipBytes(view.position() - before);
                out.add(frame.get());
            }
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(e);
        }
    }
}
