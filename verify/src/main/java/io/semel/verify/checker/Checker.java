package io.semel.verify.checker;

import io.semel.verify.checker.internal.CheckRun;
import io.semel.verify.history.History;
import java.util.Objects;

/**
 * The offline exactly-once checker (DESIGN §6, docs/verify.md): computes the send outcome sets, the drained
 * log and applied multisets, every anomaly, and a verdict judged against the guarantee the history's header
 * names. Pure and deterministic: no I/O, same history → same result. Thread-safe (immutable).
 */
public final class Checker {
    private final CheckerOptions options;

    public Checker(CheckerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Checker() {
        this(CheckerOptions.defaults());
    }

    public CheckResult check(History history) {
        return CheckRun.check(Objects.requireNonNull(history, "history"), options);
    }
}
