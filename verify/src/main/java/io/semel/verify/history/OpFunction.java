package io.semel.verify.history;

import java.util.Arrays;

/** What an operation does ({@code f} in the history file). */
public enum OpFunction {
    /** First line of every history: guarantee and fault schedule. Written once, type {@code ok}. */
    HEADER("header"),
    SEND("send"),
    DELIVER("deliver"),
    APPLY("apply"),
    ACK("ack"),
    NEMESIS("nemesis"),
    DRAIN_LOG("drain-log"),
    READ_STATE("read-state");

    private final String wireName;

    OpFunction(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static OpFunction fromWireName(String name) {
        for (OpFunction f : values()) {
            if (f.wireName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown f '" + name + "', expected one of "
                + Arrays.stream(values()).map(OpFunction::wireName).toList());
    }
}
