package io.semel.verify.run;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One child JVM role across its lives, the life cycle {@link ProcessorNode} and {@link ProducerNode} share. Each
 * start is a new generation, started with {@code --name} and {@code --generation} after the node's arguments, so
 * it has its own process ids in the history. A watchdog thread (every 100 ms) hands a generation that died on
 * its own to {@link #diedOnItsOwn()}, which restarts it; a nemesis kill ({@link #killAndHold()}) holds the node
 * down until {@link #release()}.
 *
 * <p>Order: after any death the node waits until the dead generation's event stream has ended
 * ({@link #awaitEventsClosed()}) before it records anything, so the history shows the child's last lines before
 * the harness's view of its death.
 *
 * <p>Thread-safe: every state change holds {@code this}; the watchdog and the nemesis threads call in.
 */
abstract class ChildNode implements Closeable {
    static final long RESTART_DELAY_MS = 500;
    private static final Duration EOF_WAIT = Duration.ofSeconds(5);

    final String name;
    final EventSink sink;
    final RunHistory history;
    final Path runDir;
    private final List<String> baseArgs;
    private final ProcessListener listener;
    private final Thread watchdog;
    ChildProcess current;
    int generation;
    boolean held;
    boolean stopped;

    ChildNode(String name, List<String> baseArgs, Path runDir, EventSink sink, RunHistory history,
            ProcessListener listener) {
        this.name = name;
        this.baseArgs = List.copyOf(baseArgs);
        this.runDir = runDir;
        this.sink = sink;
        this.history = history;
        this.listener = listener;
        this.watchdog = new Thread(this::watch, name + "-watchdog");
        this.watchdog.setDaemon(true);
    }

    /** The next generation's spec; {@code args} are the node's arguments with its name and generation. */
    abstract ChildSpec spec(List<String> args);

    /** Called with the lock held right after a generation started. */
    void started() {
    }

    /** Called with the lock held after a nemesis kill of the current generation. */
    void killed() throws InterruptedException {
        awaitEventsClosed();
    }

    /** Called with the lock held when the current generation died on its own; starts the next one. */
    abstract void diedOnItsOwn() throws IOException, InterruptedException;

    String name() {
        return name;
    }

    synchronized void start() throws IOException {
        startNext();
        watchdog.start();
    }

    /** Whether {@link #start()} ran (the watchdog is on). */
    final boolean watchdogStarted() {
        return watchdog.getState() != Thread.State.NEW;
    }

    final void startNext() throws IOException {
        generation++;
        List<String> args = new ArrayList<>(baseArgs);
        args.addAll(List.of("--name", name, "--generation", Integer.toString(generation)));
        current = new ChildProcess(spec(args), listener);
        current.start();
        started();
    }

    /** Nemesis kill: SIGKILL, and it stays down until {@link #release()}. */
    synchronized void killAndHold() throws IOException, InterruptedException {
        held = true;
        requireAlive();
        sink.killing(name, generation); // a torn last line of this generation is then explained
        current.kill();
        killed();
    }

    /** End of a kill: start the next generation. */
    synchronized void release() throws IOException {
        held = false;
        if (!stopped && !alive()) {
            startNext();
        }
    }

    synchronized void pause() throws IOException {
        requireAlive();
        current.pause();
    }

    synchronized void resume() throws IOException {
        if (current != null && current.isPaused()) {
            current.resume();
        }
    }

    final boolean alive() {
        return current != null && current.isAlive();
    }

    final void requireAlive() {
        if (!alive()) {
            throw new IllegalStateException(name + " is not running");
        }
    }

    final void awaitEventsClosed() throws InterruptedException {
        EventSink.Link link = sink.link(name);
        if (link != null && link.generation() == generation && !link.awaitClosed(EOF_WAIT)) {
            System.err.println("verify: " + name + " g" + generation + " events did not end within " + EOF_WAIT);
        }
    }

    private void watch() {
        while (true) {
            try {
                Thread.sleep(100);
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                    if (held || current == null || current.isAlive()) {
                        continue;
                    }
                    diedOnItsOwn();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                System.err.println("verify: restarting " + name + " failed (retrying): " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        stopped = true;
        watchdog.interrupt();
        if (current != null) {
            current.close();
        }
    }
}
