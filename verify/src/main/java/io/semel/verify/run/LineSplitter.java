package io.semel.verify.run;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream into {@code \n}-terminated UTF-8 lines. A child killed mid-write leaves an
 * unterminated tail: {@link #tornBytes()} reports it at end of stream and it is never returned as a line,
 * so only lines the child wrote in full count. Not thread-safe (one reader thread per stream).
 */
public final class LineSplitter {
    /** A child's event line is a few KB; a longer one is a bug, not data. */
    public static final int LINE_BYTES_MAX = 1 << 20;

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** Feeds {@code n} bytes and returns the lines completed by them, in order. */
    public List<String> feed(byte[] buf, int off, int n) {
        List<String> lines = new ArrayList<>();
        int start = off;
        for (int i = off; i < off + n; i++) {
            if (buf[i] == '\n') {
                pending.write(buf, start, i - start);
                lines.add(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                start = i + 1;
            }
        }
        pending.write(buf, start, off + n - start);
        if (pending.size() > LINE_BYTES_MAX) {
            throw new IllegalStateException("event line longer than " + LINE_BYTES_MAX + " bytes without a newline");
        }
        return lines;
    }

    /** Bytes received after the last newline: at end of stream, a torn line that is dropped. */
    public int tornBytes() {
        return pending.size();
    }
}
