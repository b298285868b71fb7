package io.semel.verify.history;

import java.util.Arrays;

/** The delivery guarantee a run was configured with; the checker judges the run against it. */
public enum Guarantee {
    /** Producer sends once; consumer acks before handling. Losses are expected, duplicates are not. */
    AT_MOST_ONCE("at-most-once"),
    /** Producer retries; consumer acks after handling. Duplicates are expected, losses are not. */
    AT_LEAST_ONCE("at-least-once"),
    /** Producer retries with broker dedup; consumer commits state, dedup and position in one transaction. */
    EXACTLY_ONCE("exactly-once");

    private final String wireName;

    Guarantee(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the history file, e.g. {@code exactly-once}. */
    public String wireName() {
        return wireName;
    }

    /** Parses a history-file name; throws {@link IllegalArgumentException} listing the accepted names. */
    public static Guarantee fromWireName(String name) {
        for (Guarantee g : values()) {
            if (g.wireName.equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown guarantee '" + name + "', expected one of "
                + Arrays.stream(values()).map(Guarantee::wireName).toList());
    }
}
