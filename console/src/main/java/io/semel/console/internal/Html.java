package io.semel.console.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Small HTML writer: every text goes through {@link #text} (escaped), so a message value or a topic
 * name can never inject markup. Not thread-safe; one per response.
 */
final class Html {
    /** Characters of a key or value shown in a table cell before it is cut. */
    static final int CELL_CHARS_MAX = 200;

    private final StringBuilder sb = new StringBuilder(4096);

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Bytes as UTF-8 text when they are valid UTF-8, else as hex; cut at {@link #CELL_CHARS_MAX}. */
    static String bytes(byte[] b) {
        if (b == null) {
            return "(null)";
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder hex = new StringBuilder("0x");
            for (int i = 0; i < b.length && hex.length() < CELL_CHARS_MAX; i++) {
                hex.append(String.format(Locale.ROOT, "%02x", b[i]));
            }
            s = hex.toString();
        }
        return s.length() > CELL_CHARS_MAX ? s.substring(0, CELL_CHARS_MAX) + "… (" + b.length + " bytes)" : s;
    }

    static String time(long epochMs) {
        return epochMs <= 0 ? "-" : Instant.ofEpochMilli(epochMs).toString();
    }

    static String bytesHuman(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    /** Raw markup: only for constant strings written in this module. */
    Html raw(String markup) {
        sb.append(markup);
        return this;
    }

    Html text(Object o) {
        sb.append(escape(String.valueOf(o)));
        return this;
    }

    /** {@code <tag id="id">text</tag>}; id may be null. */
    Html el(String tag, String id, Object text) {
        sb.append('<').append(tag);
        if (id != null) {
            sb.append(" id=\"").append(escape(id)).append('"');
        }
        sb.append('>').append(escape(String.valueOf(text))).append("</").append(tag).append('>');
        return this;
    }

    Html td(Object text) {
        return el("td", null, text);
    }

    /** A cell with an id, so tests and scripts find a number. */
    Html td(String id, Object text) {
        return el("td", id, text);
    }

    Html th(String... names) {
        sb.append("<tr>");
        for (String n : names) {
            el("th", null, n);
        }
        sb.append("</tr>");
        return this;
    }

    Html link(String href, Object text) {
        sb.append("<a href=\"").append(escape(href)).append("\">").append(escape(String.valueOf(text))).append("</a>");
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
