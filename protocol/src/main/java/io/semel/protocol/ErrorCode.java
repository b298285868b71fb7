package io.semel.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * Every failure Semel reports on the wire, one value each.
 *
 * <p>The numeric {@link #code()} is part of the protocol: once released, a code never changes
 * meaning and is never reused. Names may be improved; numbers may not. New codes are added at the
 * end of their range; ranges are
 * handed out to work done in parallel, so codes are not contiguous.
 *
 * <p>{@link #retriable()} says whether the same request may succeed if sent again unchanged (after
 * a backoff). A non-retriable error needs a different request or a human.
 */
public enum ErrorCode {
    NONE(0, false, "success"),
    UNKNOWN_SERVER_ERROR(1, false, "unexpected broker error; see the broker log"),
    CORRUPT_MESSAGE(2, false, "batch failed its length, CRC or format check"),
    MESSAGE_TOO_LARGE(3, false, "record or batch exceeds the configured size limit"),
    OUT_OF_ORDER_SEQUENCE(4, false, "producer sequence has a gap or straddles the last persisted one"),
    /** A retry of a batch the broker already has; answered as success with {@code duplicate=true}. */
    DUPLICATE_SEQUENCE(5, false, "batch already persisted (answered as success)"),
    PRODUCER_FENCED(6, false, "a newer epoch of this producer exists; this instance must stop"),
    DEDUP_STATE_UNKNOWN(7, false, "broker has no dedup state for this producer sequence"),
    UNKNOWN_TOPIC_OR_PARTITION(8, false, "topic or partition does not exist"),
    STORAGE_ERROR(9, true, "broker could not write or force its storage"),
    NOT_ENOUGH_SPACE(10, true, "broker disk is full"),
    INVALID_REQUEST(11, false, "request is malformed or violates the protocol"),
    UNSUPPORTED_VERSION(12, false, "format or protocol version is not supported"),
    TIMEOUT(13, true, "request did not complete in time; outcome unknown"),
    UNKNOWN_PRODUCER(14, false, "producer id is not registered (never issued, released or removed)"),
    TOO_MANY_PRODUCERS(15, true, "producer limit per partition reached"),
    STALE_LEASE(16, false, "lease epoch is older than the partition's current lease"),
    INVALID_TOPIC_NAME(17, false, "topic name is empty, too long or has illegal characters"),
    TOPIC_ALREADY_EXISTS(18, false, "a topic with this name exists"),
    AUTHENTICATION_FAILED(19, false, "wrong credentials"),
    UNKNOWN_GROUP_MEMBER(20, false, "member is not part of the group (expired or never joined)"),
    BROKER_SHUTTING_DOWN(21, true, "broker is closing; retry against it after restart"),
    OFFSET_OUT_OF_RANGE(22, false, "requested offset is outside the log"),
    THROTTLED(23, true, "too many requests pending; retry after a backoff"),
    // 40..49: admin operations.
    GROUP_NOT_EMPTY(40, false, "the group has members; stop them (or wait for their sessions to expire) first"),
    GROUP_NOT_FOUND(41, false, "no consumer group with this name exists"),
    // 30..39: security.
    /** The authenticated principal has no ACL allowing this operation on this resource. */
    AUTHORIZATION_FAILED(30, false, "the principal is not allowed this operation; an administrator must grant an ACL"),
    /** A plain-text frame reached a port that accepts TLS only; answered in plain text, then closed. */
    TLS_REQUIRED(31, false, "this broker port accepts TLS connections only");

    private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

    static {
        for (ErrorCode e : values()) {
            ErrorCode previous = BY_CODE.put((int) e.code, e);
            assert previous == null : "duplicate error code " + e.code;
        }
    }

    private final short code;
    private final boolean retriable;
    private final String description;

    ErrorCode(int code, boolean retriable, String description) {
        this.code = (short) code;
        this.retriable = retriable;
        this.description = description;
    }

    /** The fixed wire number. */
    public short code() {
        return code;
    }

    public boolean retriable() {
        return retriable;
    }

    public String description() {
        return description;
    }

    /**
     * Decodes a wire number. An unknown number (from a newer broker) maps to
     * {@link #UNKNOWN_SERVER_ERROR} rather than failing, so old clients degrade gracefully.
     */
    public static ErrorCode forCode(int code) {
        return BY_CODE.getOrDefault(code, UNKNOWN_SERVER_ERROR);
    }
}
