package io.semel.verify.process;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * The process faults the harness injects into one participant (broker, producer, processor). Every action is
 * reported to a {@link ProcessListener}. Implementations say whether they are thread-safe.
 */
public interface ProcessControl {
    /** The participant's name, used as the nemesis target. */
    String name();

    /** SIGKILL, then wait for the process to be gone. No-op (reported as not ok) if it is not running. */
    void kill() throws IOException;

    /** SIGSTOP: the process keeps its sockets and files but runs no code until {@link #resume()}. */
    void pause() throws IOException;

    /** SIGCONT after {@link #pause()}. */
    void resume() throws IOException;

    /** Kill if alive, then start again with the same identity (arguments, properties, directories). */
    void restart() throws IOException;

    boolean isAlive();

    /** The current process id; -1 before the first start. */
    long pid();

    /** The exit code of the last process once it has ended. */
    OptionalInt exitCode();
}
