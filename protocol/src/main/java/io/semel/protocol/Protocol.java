package io.semel.protocol;

/**
 * Protocol-wide constants: the version and the limits every peer enforces. A broker may configure
 * tighter limits (announced in {@link Hello.Response}); it never accepts looser ones.
 */
public final class Protocol {
    /** The protocol version this code speaks; negotiated by {@link ApiKey#HELLO}. */
    public static final short PROTOCOL_VERSION = 1;
    /** Default and recommended limit on a frame's length field (bytes after it): 8 MiB. */
    public static final int MAX_FRAME_BYTES_DEFAULT = 8 * 1024 * 1024;
    /** Longest string field, in UTF-8 bytes: the int16 length's range. */
    public static final int MAX_STRING_BYTES = Short.MAX_VALUE;
    /** Most elements in any list field; frames bound it further. */
    public static final int MAX_LIST_ITEMS = 1_000_000;
    /** Most partitions a topic may have, whatever the broker configuration. */
    public static final int MAX_PARTITIONS_PER_TOPIC = 10_000;

    private Protocol() {
    }
}
