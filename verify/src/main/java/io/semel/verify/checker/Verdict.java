package io.semel.verify.checker;

/** The checker's judgement of one run against the guarantee it promised. */
public enum Verdict {
    /** No anomaly fatal for the guarantee, and the run was non-trivial. */
    VALID("valid"),
    /** At least one anomaly fatal for the guarantee. */
    INVALID("invalid"),
    /** Clean, but the run did not exercise what it had to (faults, ambiguity, volume, crash between commit and ack). */
    TRIVIAL("trivial"),
    /** No final drain-log or read-state, and nothing fatal found without them: the run proves nothing either way. */
    UNKNOWN("unknown");

    private final String wireName;

    Verdict(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
