package io.semel.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) or SIGTERM for a command that wants to end its own way — close its client, print
 * its summary — instead of being cut off. The JVM runs shutdown hooks while the command's thread
 * goes on, and halts once the hooks return: so the hook raises {@link #requested()}, which the
 * command's loop checks, and waits up to {@code grace} for the command to {@link #close()}; a
 * command still running then (blocked on stdin, say) gets {@code ifStillRunning} run for it.
 *
 * <p>Thread-safe.
 */
final class Interruption implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    Interruption(String name, Duration grace, Runnable ifStillRunning) {
        hook = new Thread(() -> {
            requested.set(true);
            try {
                if (!finished.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    ifStillRunning.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** True once the process was asked to stop. */
    boolean requested() {
        return requested.get();
    }

    /** The command has ended (either way); the hook has nothing left to wait for. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook is running and now returns at once.
        }
    }
}
