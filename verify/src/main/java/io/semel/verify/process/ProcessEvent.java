package io.semel.verify.process;

/**
 * One action on a child process, after it was carried out (or failed). Immutable.
 *
 * @param name the child's name (the nemesis target)
 * @param pid the process id acted on; for START and RESTART the new process, -1 if none started
 * @param ok whether the action took effect
 * @param detail what happened, with the numbers (exit code, wait time, error)
 */
public record ProcessEvent(String name, ProcessAction action, long pid, boolean ok, String detail) {
}
