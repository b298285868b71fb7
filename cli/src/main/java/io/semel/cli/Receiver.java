package io.semel.cli;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bench's receiving loop on its own thread until {@link #stop()}: the loop checks the flag between polls, so it
 * ends within one poll's wait. A failure of the loop is printed when it happens (the sender then times out waiting
 * for a delivery) and thrown again by {@link #stop()}. Thread-safe.
 */
final class Receiver {
    /** The loop; it returns when {@code stop} is set. */
    @FunctionalInterface
    interface Loop {
        void run(AtomicBoolean stop) throws Exception;
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile Exception failure;

    private Receiver(String name, Loop loop) {
        this.thread = new Thread(() -> {
            try {
                loop.run(stop);
            } catch (Exception e) {
                if (!stop.get()) {
                    failure = e;
                    System.err.println("semel: bench receiver " + name + " failed: " + Semel.oneLine(e));
                }
            }
        }, name);
        thread.setDaemon(true);
    }

    static Receiver start(String name, Loop loop) {
        Receiver r = new Receiver(name, loop);
        r.thread.start();
        return r;
    }

    /** Stops the loop and waits for it; throws what the loop failed with, if it did. */
    void stop() throws IOException, InterruptedException {
        stop.set(true);
        thread.join();
        if (failure != null) {
            throw new IOException("receiver " + thread.getName() + " failed: " + failure.getMessage(), failure);
        }
    }
}
