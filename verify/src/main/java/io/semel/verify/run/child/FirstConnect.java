package io.semel.verify.run.child;

import io.semel.client.SemelException;
import java.util.function.Supplier;

/**
 * A child's first connection to the broker, retried while the broker is unreachable. A processor started (or
 * restarted) by the harness while a fault holds the broker down — killed, power-cut, paused, behind a dropping
 * proxy — used to die on its first HELLO with a stack trace and be restarted by the watchdog; it now waits for
 * the broker like any long-running consumer would, printing one line when it starts waiting and one when it is
 * through. Only the client's own failures are retried: anything else is a bug and ends the child.
 */
final class FirstConnect {
    static final long RETRY_INTERVAL_MS = 250;

    private FirstConnect() {
    }

    static <C> C untilUp(Supplier<C> connect) {
        int failures = 0;
        while (true) {
            try {
                C consumer = connect.get();
                if (failures > 0) {
                    System.err.println("connected after " + failures + " failed attempt(s)");
                }
                return consumer;
            } catch (SemelException e) {
                if (failures++ == 0) {
                    System.err.println("broker not reachable yet, retrying every " + RETRY_INTERVAL_MS + " ms: "
                            + e.getMessage());
                }
                try {
                    Thread.sleep(RETRY_INTERVAL_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
