package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ChildChannel;
import io.semel.verify.run.child.ProcessorChild;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The processor child ({@link ProcessorChild}) across its lives. Each start is a new generation (its own
 * process ids in the history). A watchdog thread restarts a processor that died on its own — the crash
 * point, or a crash — after {@link #RESTART_DELAY_MS}; a nemesis kill holds it down until the fault's stop.
 *
 * <p>Order: after any death the node waits until the dead generation's event stream has ended
 * ({@link EventSink.Link#awaitClosed}) before it records anything, so the history shows the child's last
 * lines before the harness's view of its death.
 *
 * <p>Thread-safe: every state change holds {@code this}; the watchdog and the nemesis thread call in.
 */
final class ProcessorNode implements Closeable {
    static final long RESTART_DELAY_MS = 500;
    private static final Duration EOF_WAIT = Duration.ofSeconds(5);
    private static final String WATCHDOG_PROC = "nemesis-watchdog";

    private final String name;
    private final List<String> baseArgs;
    private final Map<String, String> systemProperties;
    private final java.nio.file.Path runDir;
    private final EventSink sink;
    private final RunHistory history;
    private final ProcessListener listener;
    private final Thread watchdog;
    private ChildProcess current;
    private int generation;
    private boolean held;
    private boolean stopped;
    private boolean armed;
    private boolean crashFired;
    /** The crash fired but its restart (the fault's stop) has not succeeded yet. */
    private boolean pendingCrashStop;
    private int restarts;

    ProcessorNode(String name, List<String> baseArgs, Map<String, String> systemProperties, java.nio.file.Path runDir,
            EventSink sink, RunHistory history, ProcessListener listener) {
        this.name = name;
        this.baseArgs = List.copyOf(baseArgs);
        this.systemProperties = Map.copyOf(systemProperties);
        this.runDir = runDir;
        this.sink = sink;
        this.history = history;
        this.listener = listener;
        this.watchdog = new Thread(this::watch, name + "-watchdog");
        this.watchdog.setDaemon(true);
    }

    synchronized void start() throws IOException {
        startNext();
        watchdog.start();
    }

    private void startNext() throws IOException {
        generation++;
        List<String> args = new ArrayList<>(baseArgs);
        args.addAll(List.of("--name", name, "--generation", Integer.toString(generation)));
        ChildSpec spec = ChildSpec.of(name, ProcessorChild.class.getName(), runDir, ProcessorChild.READY)
                .withArgs(args).withSystemProperties(systemProperties).withHeapMb(256)
                .withReadyTimeout(Duration.ofSeconds(30));
        ChildProcess p = new ChildProcess(spec, listener);
        current = p;
        p.start();
        // A crash window that opened while this generation was starting still applies to it.
        EventSink.Link link = sink.link(name);
        if (armed && link != null && link.generation() == generation) {
            link.send(ChildChannel.ARM);
        }
    }

    /** Nemesis kill: SIGKILL and keep it down until {@link #release()}. */
    synchronized void killAndHold() throws IOException, InterruptedException {
        held = true;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        sink.killing(name, generation);
        current.kill();
        awaitEventsClosed();
    }

    /** End of a kill: start the next generation. */
    synchronized void release() throws IOException {
        held = false;
        if (!stopped && (current == null || !current.isAlive())) {
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

    /** Arms the crash point in the running generation; it fires at the next batch. */
    synchronized boolean arm() {
        armed = true;
        crashFired = false;
        EventSink.Link link = sink.link(name);
        return current != null && current.isAlive() && link != null && link.send(ChildChannel.ARM);
    }

    /** Whether the crash point fired since it was last armed. */
    synchronized boolean fired() {
        return crashFired;
    }

    /** Ends the crash window: returns whether the crash point fired while armed. */
    synchronized boolean disarm() {
        armed = false;
        EventSink.Link link = sink.link(name);
        if (link != null) {
            link.send(ChildChannel.DISARM);
        }
        return crashFired;
    }

    synchronized int generation() {
        return generation;
    }

    synchronized int restarts() {
        return restarts;
    }

    /** Final phase: resume if paused, restart if dead; the processor must drain what the log holds. */
    synchronized void heal() throws IOException {
        held = false;
        armed = false;
        resume();
        if (current == null || !current.isAlive()) {
            startNext();
        }
    }

    /** End of the run: kill for good (its store is committed; nothing it holds matters any more). */
    synchronized void stopForGood() throws IOException, InterruptedException {
        stopped = true;
        if (current != null && current.isAlive()) {
            if (current.isPaused()) {
                current.resume();
            }
            sink.killing(name, generation);
            current.kill();
            awaitEventsClosed();
        }
    }

    private void awaitEventsClosed() throws InterruptedException {
        EventSink.Link link = sink.link(name);
        if (link != null && link.generation() == generation && !link.awaitClosed(EOF_WAIT)) {
            System.err.println("verify: " + name + " g" + generation + " events did not end within " + EOF_WAIT);
        }
    }

    private void requireAlive() {
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException(name + " is not running");
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
                    recoverFromDeath();
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                System.err.println("verify: restarting " + name + " failed (retrying): " + e.getMessage());
            }
        }
    }

    /** Called with the lock held, when the current generation died on its own. */
    private void recoverFromDeath() throws IOException, InterruptedException {
        awaitEventsClosed();
        boolean crash = armed && current.exitCode().orElse(0) == 137;
        Thread.sleep(RESTART_DELAY_MS);
        restarts++;
        if (crash) {
            armed = false;
            crashFired = true;
            pendingCrashStop = true;
        }
        startNext();
        if (pendingCrashStop) {
            pendingCrashStop = false;
            EventValue.Nemesis stop = new EventValue.Nemesis(EventValue.Nemesis.CRASH_AFTER_COMMIT_BEFORE_ACK,
                    List.of(name), NemesisPhase.STOP);
            history.invoke(WATCHDOG_PROC, stop);
            history.ok(WATCHDOG_PROC, stop);
        }
    }

    @Override
    public synchronized void close() {
        stopped = true;
        watchdog.interrupt();
        if (current != null) {
            sink.killing(name, generation);
            current.close();
        }
    }
}
