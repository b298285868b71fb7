package io.semel.protocol;

import java.util.Optional;

/**
 * The rule for topic names, shared by client and broker so both reject the same names.
 *
 * <p>1..{@value #MAX_TOPIC_NAME_CHARS} characters from {@code [a-zA-Z0-9._-]}, and not "." or
 * "..": names become directory names, so the rule keeps them portable and unable to escape the
 * data directory. Thread-safe (stateless).
 */
public final class TopicNames {
    /** Longest topic name: leaves room for suffixes such as {@code .dlq} within a 255-byte file name. */
    public static final int MAX_TOPIC_NAME_CHARS = 249;

    private TopicNames() {
    }

    /** Why {@code name} is not a valid topic name, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("topic name is empty; use 1.." + MAX_TOPIC_NAME_CHARS + " characters of [a-zA-Z0-9._-]");
        }
        if (name.length() > MAX_TOPIC_NAME_CHARS) {
            return Optional.of("topic name has " + name.length() + " characters; at most "
                    + MAX_TOPIC_NAME_CHARS + " allowed");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("topic name \"" + name + "\" is reserved (it names a directory)");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isLegal(c)) {
                return Optional.of("topic name has illegal character '" + printable(c) + "' at index " + i
                        + "; allowed are a-z, A-Z, 0-9, '.', '_' and '-'");
            }
        }
        return Optional.empty();
    }

    public static boolean isValid(String name) {
        return problem(name).isEmpty();
    }

    private static boolean isLegal(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
