package io.semel.broker.group;

/**
 * Name rules shared by groups, topics and client ids, the same as topic names: 1 to {@value
 * #NAME_CHARS_MAX} characters from {@code [a-zA-Z0-9._-]}. Keeping names this plain lets them be
 * file names, log keys and header values without escaping.
 */
public final class GroupNames {
    /** Longest name, in characters (as for topics, so a group name fits wherever a topic name does). */
    public static final int NAME_CHARS_MAX = 249;

    /** Suffix of the dead-letter topic of {@code topic}. */
    public static final String DLQ_SUFFIX = ".dlq";

    private GroupNames() {
    }

    /** Null if {@code name} is valid, otherwise why not (for an error message). */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > NAME_CHARS_MAX) {
            return "has " + name.length() + " characters, more than " + NAME_CHARS_MAX;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return "has illegal character '" + c + "' at index " + i + "; allowed: [a-zA-Z0-9._-]";
            }
        }
        return null;
    }

    static void requireValid(String what, String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(what + " name '" + name + "' " + problem);
        }
    }
}
