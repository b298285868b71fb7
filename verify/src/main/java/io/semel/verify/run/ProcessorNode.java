package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ChildChannel;
import io.semel.verify.run.child.ProcessorChild;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The processor child ({@link ProcessorChild}) across its lives ({@link ChildNode}). The watchdog restarts a
 * processor that died on its own — the crash point, or a crash — after {@link #RESTART_DELAY_MS}; a nemesis kill
 * holds it down until the fault's stop.
 *
 * <p>Thread-safe: every state change holds {@code this}; the watchdog and the nemesis thread call in.
 */
final class ProcessorNode extends ChildNode {
    private static final String WATCHDOG_PROC = "nemesis-watchdog";

    private final Map<String, String> systemProperties;
    private boolean armed;
    private boolean crashFired;
    /** The crash fired but its restart (the fault's stop) has not succeeded yet. */
    private boolean pendingCrashStop;
    private int restarts;

    ProcessorNode(String name, List<String> baseArgs, Map<String, String> systemProperties, Path runDir,
            EventSink sink, RunHistory history, ProcessListener listener) {
        super(name, baseArgs, runDir, sink, history, listener);
        this.systemProperties = Map.copyOf(systemProperties);
    }

    @Override
    ChildSpec spec(List<String> args) {
        return ChildSpec.of(name, ProcessorChild.class.getName(), runDir, ProcessorChild.READY)
                .withArgs(args).withSystemProperties(systemProperties).withHeapMb(256)
                .withReadyTimeout(Duration.ofSeconds(30));
    }

    /** A crash window that opened while this generation was starting still applies to it. */
    @Override
    void started() {
        EventSink.Link link = sink.link(name);
        if (armed && link != null && link.generation() == generation) {
            link.send(ChildChannel.ARM);
        }
    }

    /** Arms the crash point in the running generation; it fires at the next batch. */
    synchronized boolean arm() {
        armed = true;
        crashFired = false;
        EventSink.Link link = sink.link(name);
        return alive() && link != null && link.send(ChildChannel.ARM);
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
        if (!alive()) {
            startNext();
        }
    }

    /** End of the run: kill for good (its store is committed; nothing it holds matters any more). */
    synchronized void stopForGood() throws IOException, InterruptedException {
        stopped = true;
        if (alive()) {
            if (current.isPaused()) {
                current.resume();
            }
            sink.killing(name, generation);
            current.kill();
            awaitEventsClosed();
        }
    }

    @Override
    void diedOnItsOwn() throws IOException, InterruptedException {
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
        if (current != null) {
            sink.killing(name, generation);
        }
        super.close();
    }
}
