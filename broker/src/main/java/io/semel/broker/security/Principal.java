package io.semel.broker.security;

import java.util.regex.Pattern;

/**
 * Who a connection is: the user it proved with SCRAM, or {@link #ANONYMOUS} when the broker does
 * not authenticate. User names are 1..128 characters of {@code A-Z a-z 0-9 . _ @ -}, so they can
 * stand in files, ACLs and logs without quoting.
 */
public record Principal(String name) {
    /** Longest user name, characters. */
    public static final int NAME_CHARS_MAX = 128;
    // Before ANONYMOUS: static fields initialise in order, and its constructor checks against this.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1," + NAME_CHARS_MAX + "}");
    /** Every connection on a broker without authentication. */
    public static final Principal ANONYMOUS = new Principal("ANONYMOUS");

    public Principal {
        checkName(name);
    }

    /** @throws IllegalArgumentException when {@code name} is not a valid user name */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("user name '" + name + "' is not 1.." + NAME_CHARS_MAX
                    + " characters of A-Z a-z 0-9 . _ @ -");
        }
        return name;
    }
}
