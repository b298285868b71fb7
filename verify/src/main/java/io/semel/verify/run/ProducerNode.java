package io.semel.verify.run;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ChildChannel;
import io.semel.verify.run.child.ProducerChild;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One producer child ({@link ProducerChild}) across its lives; each start is a new generation with its own
 * process ids and message ids. After any death — a nemesis kill, or the child stopping on its own (a fatal
 * producer error) — the node waits until the dead generation's event stream has ended, then records every send
 * it left open as {@code info}: a killed producer's in-flight sends may have been appended. A watchdog restarts
 * a child that died on its own after {@link #RESTART_DELAY_MS}; a nemesis kill holds it down until the fault's
 * stop.
 *
 * <p>Thread-safe: every state change holds {@code this}; the watchdog and the nemesis threads call in.
 */
final class ProducerNode implements Closeable {
    static final long RESTART_DELAY_MS = 500;
    /** How long a stopping child may take to finish its sends (a delivery timeout and the lane's slack). */
    static final long STOP_WAIT_MS = ProducerChild.DELIVERY_TIMEOUT_MS + ProducerChild.WAIT_SLACK_MS + 2_000;
    private static final Duration EOF_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final List<String> baseArgs;
    private final Path runDir;
    private final EventSink sink;
    private final RunHistory history;
    private final ProcessListener listener;
    private final Thread watchdog;
    private ChildProcess current;
    private int generation;
    private boolean held;
    private boolean stopped;
    private int unplannedDeaths;

    ProducerNode(String name, List<String> baseArgs, Path runDir, EventSink sink, RunHistory history,
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

    String name() {
        return name;
    }

    synchronized void start() throws IOException {
        startNext();
        watchdog.start();
    }

    private void startNext() throws IOException {
        generation++;
        List<String> args = new ArrayList<>(baseArgs);
        args.addAll(List.of("--name", name, "--generation", Integer.toString(generation)));
        ChildSpec spec = ChildSpec.of(name, ProducerChild.class.getName(), runDir, ProducerChild.READY)
                .withArgs(args).withHeapMb(192).withReadyTimeout(Duration.ofSeconds(30));
        current = new ChildProcess(spec, listener);
        current.start();
    }

    /** Nemesis kill: SIGKILL, its open sends become {@code info}, and it stays down until {@link #release()}. */
    synchronized void killAndHold() throws IOException, InterruptedException {
        held = true;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        sink.killing(name, generation); // a torn last line of this generation is then explained
        current.kill();
        afterDeath("killed by the nemesis (SIGKILL) while the send was in flight");
    }

    synchronized void release() throws IOException {
        held = false;
        if (!stopped && (current == null || !current.isAlive())) {
            startNext();
        }
    }

    synchronized void pause() throws IOException {
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        current.pause();
    }

    synchronized void resume() throws IOException {
        if (current != null && current.isPaused()) {
            current.resume();
        }
    }

    /** Final phase: resume if paused, start if dead, so the workload's end is the same for every producer. */
    synchronized void heal() throws IOException {
        held = false;
        resume();
        if (!stopped && (current == null || !current.isAlive())) {
            startNext();
        }
    }

    /** Times the child died on its own (a fatal producer error): a finding the report counts. */
    synchronized int unplannedDeaths() {
        return unplannedDeaths;
    }

    /** End of the workload, first half: asks the child to finish its current sends and exit. */
    synchronized void requestStop() throws IOException {
        stopped = true;
        if (current == null || !current.isAlive()) {
            return;
        }
        resume();
        EventSink.Link link = sink.link(name);
        if (link != null && link.generation() == generation) {
            link.send(ChildChannel.STOP);
        }
    }

    /**
     * Second half: waits for the exit until {@code deadlineNs} ({@code System.nanoTime}), kills it after that;
     * either way its open sends are then closed as {@code info}.
     */
    synchronized void finishStop(long deadlineNs) throws IOException, InterruptedException {
        if (current == null) {
            return;
        }
        while (current.isAlive() && System.nanoTime() < deadlineNs) {
            Thread.sleep(50);
        }
        if (current.isAlive()) {
            sink.killing(name, generation);
            current.kill();
        }
        afterDeath("the producer was stopped at the end of the workload with the send in flight");
    }

    private void afterDeath(String why) throws InterruptedException {
        EventSink.Link link = sink.link(name);
        if (link != null && link.generation() == generation && !link.awaitClosed(EOF_WAIT)) {
            System.err.println("verify: " + name + " g" + generation + " events did not end within " + EOF_WAIT);
        }
        history.closeOpen(name + ".", why);
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
                    unplannedDeaths++;
                    System.err.println("verify: " + name + " g" + generation + " died on its own (exit "
                            + current.exitCode().orElse(-1) + "); restarting");
                    afterDeath("the producer died on its own with the send in flight");
                    Thread.sleep(RESTART_DELAY_MS);
                    startNext();
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
