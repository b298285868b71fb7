package io.semel.verify.history;

import java.util.Arrays;

/**
 * The phase of an operation, as in Jepsen: an {@code invoke} opens it, exactly one of {@code ok},
 * {@code fail}, {@code info} completes it.
 *
 * <p>{@code fail} means the operation <em>provably</em> did not take effect; {@code info} means the
 * outcome is unknown. When unsure, a harness records {@code info}: a false {@code fail} produces false
 * failed-visible reports, a false {@code ok} hides duplicates.
 */
public enum OpType {
    INVOKE("invoke"),
    OK("ok"),
    FAIL("fail"),
    INFO("info");

    private final String wireName;

    OpType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** True for {@code ok}, {@code fail} and {@code info}. */
    public boolean isCompletion() {
        return this != INVOKE;
    }

    public static OpType fromWireName(String name) {
        for (OpType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown op type '" + name + "', expected one of "
                + Arrays.stream(values()).map(OpType::wireName).toList());
    }
}
