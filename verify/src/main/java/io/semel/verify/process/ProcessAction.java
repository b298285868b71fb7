package io.semel.verify.process;

import java.util.Locale;

/** What was done to a child process; each is reported to the {@link ProcessListener}. */
public enum ProcessAction {
    /** Launched and printed its readiness line (or failed to). */
    START,
    /** SIGKILL ({@code kill -9}); the child had no chance to clean up. */
    KILL,
    /** SIGSTOP: frozen, sockets stay open, timers stop. */
    PAUSE,
    /** SIGCONT after a pause. */
    RESUME,
    /** Killed if alive, then started again with the same identity. */
    RESTART;

    /** The name used in histories, e.g. {@code kill}, matching {@code EventValue.Nemesis.KILL}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
