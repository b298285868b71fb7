package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ChildChannel;
import io.semel.verify.run.child.ChildHistory;
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
    /**
     * The crash points (and the zombie) armed now; a window extended past its end stays here until it fires. A
     * concurrent set written without the lock: {@link #arm} adds to it before it waits for the lock, so a generation
     * the watchdog is starting meanwhile (it holds the lock through a JVM start, tens of seconds on a loaded machine)
     * is armed from its start.
     */
    private final java.util.Set<FaultKind> armedKinds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** What the current generation was armed with at its start ({@code --armed}, or ARM lines right after READY). */
    private java.util.Set<FaultKind> armedAtStart = java.util.Set.of();
    /** The kinds that fired since they were last armed. */
    private final java.util.Set<FaultKind> firedKinds = java.util.EnumSet.noneOf(FaultKind.class);
    private int restarts;

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
        List<String> named = armedKinds.stream().filter(k -> k != FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK)
                .map(FaultKind::wireName).toList();
        if (!named.isEmpty()) {
            // Armed from its first instruction: a claim right after the start must not race the ARM line.
            all.addAll(List.of("--armed", String.join(",", named)));
        }
        return ChildSpec.of(name, mainClass, runDir, readyPrefix)
                .withArgs(all).withSystemProperties(systemProperties).withHeapMb(256)
                .withReadyTimeout(Duration.ofSeconds(60));
    }

    /** A crash window that opened while this generation was starting still applies to it. */
    @Override
    void started() {
        java.util.Set<FaultKind> armed = java.util.Set.copyOf(armedKinds);
        armedAtStart = armed;
        EventSink.Link link = sink.link(name);
        if (link != null && link.generation() == generation) {
            armed.forEach(k -> link.send(armCommand(k)));
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
     * Arms a crash point or the zombie; it fires when the child reaches its step. A processor that is down (killed and
     * held, or crashed and being restarted) is not started for it: its next generation is armed from its start, and
     * the fault waits for it (returns false). A {@code crash-after-claim} needs a claim: a generation armed from its
     * start claims on joining; a running one that was not is restarted (SIGKILL, new generation armed from its start).
     */
    boolean arm(FaultKind kind) throws IOException {
        armedKinds.add(kind);
        synchronized (this) {
            firedKinds.remove(kind);
            if (!alive()) {
                return false;
            }
            if (kind == FaultKind.CRASH_AFTER_CLAIM) {
                if (armedAtStart.contains(kind)) {
                    return true;
                }
                sink.killing(name, generation);
                current.kill();
                try {
                    awaitEventsClosed();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                startArmed();
                return true;
            }
            EventSink.Link link = sink.link(name);
            return link != null && link.send(armCommand(kind));
        }
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
     * The window of a zombie ({@link FaultKind#isSelfStop()}) ends: disarm, and if the child stopped
     * itself (SIGSTOP inside its transaction), continue it. Returns whether it had stopped itself.
     */
    synchronized boolean endSelfStop(FaultKind kind) throws IOException {
        armedKinds.remove(kind);
        EventSink.Link link = sink.link(name);
        if (link != null) {
            link.send(ChildChannel.DISARM + " " + kind.wireName());
        }
        if (!alive()) {
            return false;
        }
        boolean stopped = !current.isPaused() && selfStopped(current.pid());
        // SIGCONT either way: a child that stopped itself right after this check must not stay stopped.
        current.resume();
        return stopped;
    }

    /** Whether the current generation stopped itself (the zombie fired and waits for SIGCONT). */
    synchronized boolean zombieStopped() {
        // A stop the harness sent itself (a pause fault) is not the zombie's.
        return alive() && !current.isPaused() && selfStopped(current.pid());
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
        return fired(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
    }

    /** Whether {@code kind} fired since it was last armed. */
    synchronized boolean fired(FaultKind kind) {
        return firedKinds.contains(kind);
    }

    /** Ends the crash window: returns whether the crash point fired while armed. */
    synchronized boolean disarm() {
        return disarm(FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK);
    }

    /** Ends the window of {@code kind}: returns whether it fired while armed. */
    synchronized boolean disarm(FaultKind kind) {
        armedKinds.remove(kind);
        EventSink.Link link = sink.link(name);
        if (link != null) {
            if (kind == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK) {
                // A bare DISARM clears every named fault in the child too: arm the others again.
                link.send(ChildChannel.DISARM);
                armedKinds.forEach(k -> link.send(armCommand(k)));
            } else {
                link.send(ChildChannel.DISARM + " " + kind.wireName());
            }
        }
        return firedKinds.contains(kind);
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
        armedKinds.clear();
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
        FaultKind crashed = current.exitCode().orElse(0) == 137 ? crashedKind() : null;
        Thread.sleep(RESTART_DELAY_MS);
        restarts++;
        if (crashed != null) {
            armedKinds.remove(crashed);
            firedKinds.add(crashed);
        }
        startNext();
        if (crashed != null) {
            EventValue.Nemesis stop = new EventValue.Nemesis(crashed.wireName(), List.of(name), NemesisPhase.STOP);
            history.invoke(WATCHDOG_PROC, stop);
            history.ok(WATCHDOG_PROC, stop);
        }
    }

    /**
     * Which armed crash point the dead generation halted at: the child prints {@code CRASH <fault>: <step>} on stderr
     * (flushed) before it halts; null when none of the armed ones did (a SIGKILL from elsewhere, an OOM kill).
     */
    private FaultKind crashedKind() {
        if (armedKinds.isEmpty()) {
            return null;
        }
        try {
            String err = java.nio.file.Files.readString(current.spec().stderr());
            int at = err.lastIndexOf(ChildHistory.CRASH_LINE_PREFIX);
            if (at >= 0) {
                String rest = err.substring(at + ChildHistory.CRASH_LINE_PREFIX.length());
                int colon = rest.indexOf(':');
                FaultKind k = FaultKind.fromWireName(colon < 0 ? rest.strip() : rest.substring(0, colon));
                if (armedKinds.contains(k)) {
                    return k;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("verify: cannot tell which crash point " + name + " halted at: " + e);
        }
        return null;
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            sink.killing(name, generation);
        }
        super.close();
    }
}
