package io.semel.protocol.scram;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code a=value,b=value} attribute lists SCRAM messages are made of (RFC 5802 §5.1), parsed
 * with the checks both sides need: bounded size, UTF-8, one letter per key, no duplicates.
 */
final class Attributes {
    private final Map<Character, String> values;

    private Attributes(Map<Character, String> values) {
        this.values = values;
    }

    static String utf8(byte[] message) throws ScramException {
        if (message.length > Scram.MESSAGE_BYTES_MAX) {
            throw new ScramException("SCRAM message of " + message.length + " bytes exceeds "
                    + Scram.MESSAGE_BYTES_MAX + " (MESSAGE_BYTES_MAX)");
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(message)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ScramException("SCRAM message is not UTF-8");
        }
    }

    static Attributes parse(String text) throws ScramException {
        Map<Character, String> out = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            if (part.length() < 2 || part.charAt(1) != '=' || !Character.isLetter(part.charAt(0))) {
                throw new ScramException("malformed SCRAM attribute '" + shorten(part) + "'");
            }
            if (out.put(part.charAt(0), part.substring(2)) != null) {
                throw new ScramException("SCRAM attribute '" + part.charAt(0) + "' appears twice");
            }
        }
        return new Attributes(out);
    }

    String require(char key) throws ScramException {
        String v = values.get(key);
        if (v == null) {
            throw new ScramException("SCRAM message lacks attribute '" + key + "'");
        }
        return v;
    }

    String get(char key) {
        return values.get(key);
    }

    byte[] base64(char key) throws ScramException {
        try {
            return java.util.Base64.getDecoder().decode(require(key));
        } catch (IllegalArgumentException e) {
            throw new ScramException("SCRAM attribute '" + key + "' is not base64");
        }
    }

    int integer(char key) throws ScramException {
        try {
            return Integer.parseInt(require(key));
        } catch (NumberFormatException e) {
            throw new ScramException("SCRAM attribute '" + key + "' is not a number");
        }
    }

    private static String shorten(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "...";
    }
}
