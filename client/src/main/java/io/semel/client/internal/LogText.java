package io.semel.client.internal;

import io.semel.client.SemelException;
import io.semel.protocol.ErrorCode;

/**
 * Short forms of failures for WARN lines. A client's WARN shares the terminal with a command's
 * progress and output, so it says what happened in one short line (the error code, or the message
 * cut to {@link #WARN_DETAIL_CHARS_MAX}); the full text goes to the DEBUG line logged with it.
 * Stateless; thread-safe.
 */
public final class LogText {
    /** Characters of a failure's message a WARN line keeps when the failure has no error code. */
    public static final int WARN_DETAIL_CHARS_MAX = 80;

    private LogText() {
    }

    /** The error code of a broker answer, else the message cut to {@link #WARN_DETAIL_CHARS_MAX}. */
    public static String brief(Throwable e) {
        if (e instanceof SemelException se && se.errorCode() != ErrorCode.NONE) {
            return se.errorCode().name();
        }
        return cut(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** {@code text} cut to {@link #WARN_DETAIL_CHARS_MAX} characters, marked when cut. */
    public static String cut(String text) {
        if (text == null || text.length() <= WARN_DETAIL_CHARS_MAX) {
            return text;
        }
        return text.substring(0, WARN_DETAIL_CHARS_MAX - 3) + "...";
    }
}
