package io.semel.verify.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads the unit a one-shot policy acts on: a whole Semel frame (4-byte big-endian length, then that many
 * bytes; returned with its length field) in framed mode, or whatever one read returns (at most
 * {@link #CHUNK_BYTES}) in raw mode. Not thread-safe; one per stream direction.
 */
final class ChunkReader {
    static final int CHUNK_BYTES = 16 * 1024;
    private static final int LENGTH_BYTES = 4;

    private final boolean framed;
    private final int maxFrameBytes;
    private final byte[] buffer;

    ChunkReader(boolean framed, int maxFrameBytes) {
        this.framed = framed;
        this.maxFrameBytes = maxFrameBytes;
        this.buffer = framed ? null : new byte[CHUNK_BYTES];
    }

    /** The next unit, or null at a clean end of stream (between frames). */
    byte[] next(InputStream in) throws IOException {
        if (!framed) {
            int n = in.read(buffer);
            return n < 0 ? null : Arrays.copyOf(buffer, n);
        }
        byte[] len = in.readNBytes(LENGTH_BYTES);
        if (len.length == 0) {
            return null;
        }
        if (len.length < LENGTH_BYTES) {
            throw new EOFException("stream ended inside a length field after " + len.length + " of 4 bytes");
        }
        int length = ByteBuffer.wrap(len).getInt();
        // A length outside the limit means the stream position cannot be trusted: give up on the connection.
        if (length < 0 || length > maxFrameBytes) {
            throw new IOException("frame length " + length + " outside 0.." + maxFrameBytes + "; closing connection");
        }
        byte[] frame = Arrays.copyOf(len, LENGTH_BYTES + length);
        int got = in.readNBytes(frame, LENGTH_BYTES, length);
        if (got < length) {
            throw new EOFException("stream ended inside a frame after " + got + " of " + length + " body bytes");
        }
        return frame;
    }

    /** Bytes of {@code chunk} to forward before a cut: {@code cutAfterBytes}, or half of it for CUT_HALF. */
    static int cutLength(byte[] chunk, int cutAfterBytes) {
        int n = cutAfterBytes == FaultParams.CUT_HALF ? chunk.length / 2 : cutAfterBytes;
        return Math.min(n, chunk.length);
    }
}
