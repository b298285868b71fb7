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
import io.semel.verify.schedule.FaultKind;

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
    private final String mainClass;
    private final String readyPrefix;
    private boolean armed;
    /** The crash point or zombie armed now (meaningful while {@link #armed}). */
    private FaultKind armedKind = FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK;
    private boolean crashFired;
    /** The crash fired but its restart (the fault's stop) has not succeeded yet. */
    private boolean pendingCrashStop;
    private int restarts;
    private FaultKind armedKindFired = FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK;

    ProcessorNode(String name, List<String> baseArgs, Map<String, String> systemProperties, Path runDir,
            EventSink sink, RunHistory history, ProcessListener listener) {
        this(name, ProcessorChild.class.getName(), ProcessorChild.READY, baseArgs, systemProperties, runDir, sink,
                history, listener);
    }

    /** A processor child with another main class (the Kafka engine's {@code KafkaProcessorChild}). */
    ProcessorNode(String name, String mainClass, String readyPrefix, List<String> baseArgs,
            Map<String, String> systemProperties, Path runDir, EventSink sink, RunHistory history,
            ProcessListener listener) {
        super(name, baseArgs, runDir, sink, history, listener);
        this.systemProperties = Map.copyOf(systemProperties);
        this.mainClass = mainClass;
        this.readyPrefix = readyPrefix;
    }

    @Override
    ChildSpec spec(List<String> args) {
        List<String> all = new java.util.ArrayList<>(args);
        if (armed && armedKind != FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK) {
            // Armed from its first instruction: a claim right after the start must not race the ARM line.
            all.addAll(List.of("--armed", armedKind.wireName()));
        }
        return ChildSpec.of(name, mainClass, runDir, readyPrefix)
                .withArgs(all).withSystemProperties(systemProperties).withHeapMb(256)
                .withReadyTimeout(Duration.ofSeconds(60));
    }

    /** A crash window that opened while this generation was starting still applies to it. */
    @Override
    void started() {
        EventSink.Link link = sink.link(name);
        if (armed && link != null && link.generation() == generation) {
            link.send(armCommand(armedKind));
        }
    }

    private static String armCommand(FaultKind kind) {
        return kind == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK ? ChildChannel.ARM
                : ChildChannel.ARM + " " + kind.wireName();
    }

    /** Arms the crash point in the running generation; it fires at the next batch. */
    synchronized boolean arm() {
        try {
            return arm(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Arms a crash point or the zombie in the running generation; it fires when the child reaches its step. A
     * {@code crash-after-claim} needs a claim, so the member is restarted (SIGKILL, new generation armed from its
     * start) and claims its partitions on joining.
     */
    synchronized boolean arm(FaultKind kind) throws IOException {
        armed = true;
        armedKind = kind;
        crashFired = false;
        if (kind == FaultKind.CRASH_AFTER_CLAIM) {
            if (alive()) {
                sink.killing(name, generation);
                current.kill();
                try {
                    awaitEventsClosed();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            startArmed();
            return true;
        }
        EventSink.Link link = sink.link(name);
        return alive() && link != null && link.send(armCommand(kind));
    }

    /** Starts the next generation; one that halts at its crash point before its readiness line is the crash. */
    private void startArmed() throws IOException {
        try {
            startNext();
        } catch (IOException e) {
            if (current != null && !current.isAlive() && current.exitCode().orElse(0) == 137) {
                return; // the watchdog sees the dead generation and records the crash's stop
            }
            throw e;
        }
    }

    /**
     * The zombie window ends: disarm, and if the child stopped itself (SIGSTOP inside its transaction), continue it.
     * Returns whether it had stopped itself.
     */
    synchronized boolean endZombie() throws IOException {
        armed = false;
        EventSink.Link link = sink.link(name);
        if (link != null) {
            link.send(ChildChannel.DISARM + " " + FaultKind.ZOMBIE.wireName());
        }
        if (!alive()) {
            return false;
        }
        boolean stopped = selfStopped(current.pid());
        // SIGCONT either way: a child that stopped itself right after this check must not stay stopped.
        current.resume();
        return stopped;
    }

    /** Whether the process is in the stopped state ({@code T} in {@code /proc/<pid>/stat}). */
    private static boolean selfStopped(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }

    /** Rebalance storm: this spare member joins the group (a new generation). */
    synchronized void join() throws IOException {
        held = false;
        stopped = false;
        if (!alive()) {
            if (watchdogStarted()) {
                startNext();
            } else {
                start();
            }
        }
    }

    /** Rebalance storm: the spare member leaves the group (closes its consumer, exits) and stays down. */
    synchronized void leave() throws IOException, InterruptedException {
        held = true;
        if (!alive()) {
            return;
        }
        EventSink.Link link = sink.link(name);
        if (link != null && link.generation() == generation) {
            link.send(ChildChannel.STOP);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (current.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (current.isAlive()) {
            sink.killing(name, generation);
            current.kill();
        }
        awaitEventsClosed();
    }

    /** Whether the crash point fired since it was last armed. */
    synchronized boolean fired() {
        return crashFired;
    }

    /** Ends the crash window: returns whether the crash point fired while armed. */
    synchronized boolean disarm() {
        return disarm(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
    }

    /** Ends the window of {@code kind}: returns whether it fired while armed. */
    synchronized boolean disarm(FaultKind kind) {
        armed = false;
        EventSink.Link link = sink.link(name);
        if (link != null) {
            link.send(kind == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK ? ChildChannel.DISARM
                    : ChildChannel.DISARM + " " + kind.wireName());
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
        if (alive()) {
            // SIGCONT whether or not the harness paused it: a zombie stops itself.
            current.resume();
        }
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
            armedKindFired = armedKind;
            pendingCrashStop = true;
        }
        startNext();
        if (pendingCrashStop) {
            pendingCrashStop = false;
            EventValue.Nemesis stop = new EventValue.Nemesis(armedKindFired.wireName(), List.of(name), NemesisPhase.STOP);
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
