package io.semel.verify.history;

/** Whether a nemesis event begins a fault or heals it. */
public enum NemesisPhase {
    START("start"),
    STOP("stop");

    private final String wireName;

    NemesisPhase(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static NemesisPhase fromWireName(String name) {
        for (NemesisPhase p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown nemesis phase '" + name + "', expected start or stop");
    }
}
