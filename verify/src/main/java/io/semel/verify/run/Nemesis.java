package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.process.PowerCut;
import io.semel.verify.proxy.FaultParams;
import io.semel.verify.proxy.FaultPolicy;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.TimedFault;
import io.semel.verify.run.child.ControlledInstantSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Executes a {@link FaultSchedule}, whose faults overlap: at each fault's start and stop it acts and records a
 * {@code nemesis} op (invoke, then ok when it took effect or fail when it could not be injected), on process id
 * {@value #PROC}. The crash point is the exception: arming it records nothing, the child records the crash
 * itself when it fires and the processor's watchdog records the restart as the stop; a crash window that ends
 * without the crash firing is recorded as a failed start.
 *
 * <p>Threads: one dispatcher sleeps until each step's time and hands it to its target's own single-thread
 * executor, so one target's steps run in schedule order while a slow step (a broker restart takes seconds) never
 * delays another target's faults. Start/stop ops of different targets may interleave in the history; each uses
 * its own process id ({@code nemesis.<target>}), so the one-op-per-process rule holds.
 */
final class Nemesis {
    static final String PROC = "nemesis";
    /**
     * How long {@link #join} waits for a target's last step (a restart) after the dispatcher is done: a Kafka node's
     * restart after SIGKILL may take up to its 180 s readiness timeout on a loaded machine (the 60 s this was once
     * aborted a Kafka sweep).
     */
    static final long DRAIN_WAIT_MS = 240_000;
    static final long CLOCK_JUMP_MIN_MS = 5_000;
    /**
     * A moved fault starts at least this long after its target's last heal, so the target works between two faults
     * (a broker just back from a power loss is not cut again before its first fsync): the planner's
     * {@link RunSchedule#RECOVERY_MS}.
     */
    static final long MOVED_REST_MS = RunSchedule.RECOVERY_MS;
    static final long CLOCK_JUMP_MAX_MS = 120_000;

    private record Step(long atMs, boolean start, TimedFault fault) {
    }

    private final FaultSchedule schedule;
    private final Map<String, ProxyGroup> proxies;
    private final Brokers brokers;
    /** Processes that join at a fault's start and leave at its stop, by target (the storm's member, the second relay). */
    private final Map<String, ProcessorNode> spares;
    private final Map<String, ProcessorNode> processors;
    private final Map<String, ProducerNode> producers;
    private final RunHistory history;
    private final Random powerCutRandom;
    private final Random clockRandom;
    private final Path runDir;
    private final Consumer<String> log;
    private final Map<String, ExecutorService> perTarget = new LinkedHashMap<>();
    /** Crash windows that ended before a batch reached the crash point: still armed until the workload ends. */
    private final List<TimedFault> extendedCrashWindows = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Faults whose start came after their planned stop, too late to move before the heal: their stop does nothing. */
    private final java.util.Set<TimedFault> skipped = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Late faults moved to a later start: run time (ms) they were injected at; their stop holds their length. */
    private final Map<TimedFault, Long> movedAtMs = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per lane, the run time (ms) its last heal finished: a moved fault rests its target {@link #MOVED_REST_MS}. */
    private final Map<String, Long> lastHealMs = new java.util.concurrent.ConcurrentHashMap<>();
    /** Threads holding an extended zombie; interrupted when the workload ends. */
    private final List<Thread> zombieWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Throwable failure;

    Nemesis(FaultSchedule schedule, Map<String, ProxyGroup> proxies, Brokers brokers,
            Map<String, ProcessorNode> processors, Map<String, ProducerNode> producers, RunHistory history, long seed,
            Path runDir, Consumer<String> log) {
        this(schedule, proxies, brokers, processors, producers, Map.of(), history, seed, runDir, log);
    }

    Nemesis(FaultSchedule schedule, Map<String, ProxyGroup> proxies, Brokers brokers,
            Map<String, ProcessorNode> processors, Map<String, ProducerNode> producers, Map<String, ProcessorNode> spares,
            RunHistory history, long seed, Path runDir, Consumer<String> log) {
        this.schedule = schedule;
        this.proxies = Map.copyOf(proxies);
        this.brokers = brokers;
        this.spares = Map.copyOf(spares);
        this.processors = Map.copyOf(processors);
        this.producers = Map.copyOf(producers);
        this.history = history;
        this.powerCutRandom = new Random(seed * 7919 + 3);
        this.clockRandom = new Random(seed * 104_729 + 5);
        this.runDir = runDir;
        this.log = log;
        for (TimedFault f : schedule.faults()) {
            perTarget.computeIfAbsent(lane(f), t -> Executors.newSingleThreadExecutor(r -> {
                Thread th = new Thread(r, "nemesis-" + t);
                th.setDaemon(true);
                return th;
            }));
        }
        this.thread = new Thread(this::run, "nemesis");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * The workload ends: disarms the crash windows that were extended past their planned end; one that never
     * fired is recorded as a failed start (the header promised it: say plainly it did not happen).
     */
    void endCrashWindows() {
        zombieWatchers.forEach(Thread::interrupt);
        for (TimedFault f : List.copyOf(extendedCrashWindows)) {
            if (!extendedCrashWindows.remove(f)) {
                continue; // a watcher ended it meanwhile
            }
            if (f.kind().isSelfStop()) {
                endZombie(f, processor(f));
                continue;
            }
            if (!processor(f).disarm(f.kind())) {
                EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
                history.invoke(proc(f), n);
                history.fail(proc(f), n, "armed from " + f.startMs() + " ms to the end of the workload but no batch "
                        + "reached the crash point");
            }
        }
    }

    /** Waits for the dispatcher and for every target's last step. */
    void join() throws InterruptedException {
        thread.join();
        for (ExecutorService e : perTarget.values()) {
            e.shutdown();
        }
        for (ExecutorService e : perTarget.values()) {
            if (!e.awaitTermination(DRAIN_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("a nemesis step still runs " + DRAIN_WAIT_MS + " ms after the schedule ended");
            }
        }
        if (failure != null) {
            throw new IllegalStateException("the nemesis failed: " + failure, failure);
        }
    }

    void interrupt() {
        thread.interrupt();
        perTarget.values().forEach(ExecutorService::shutdownNow);
    }

    private void run() {
        List<Step> steps = new ArrayList<>();
        for (TimedFault f : schedule.faults()) {
            steps.add(new Step(f.startMs(), true, f));
            steps.add(new Step(f.stopMs(), false, f));
        }
        // Stops before starts at the same instant: a target's faults never overlap.
        steps.sort(Comparator.comparingLong(Step::atMs).thenComparing(Step::start));
        try {
            for (Step s : steps) {
                long waitMs = s.atMs - history.elapsedMs();
                if (waitMs > 0) {
                    Thread.sleep(waitMs);
                }
                perTarget.get(lane(s.fault)).execute(() -> step(s));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void step(Step s) {
        try {
            if (s.start) {
                start(s.fault);
            } else {
                stop(s.fault);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private static String proc(TimedFault f) {
        return PROC + "." + lane(f);
    }

    /**
     * The executor, and the process id, a fault's steps run on: its target's, except that a clock jump has a lane
     * of its own per target. A clock jump only writes the target's clock-offset file, which the child reads whether
     * or not it is up right now, so it need not wait behind the target's kill and restart; queued behind them it
     * came too late and was skipped (the 48-minute soak of seed 765193300: 2 of 1,148 faults, both clock jumps on
     * processors, and the run was trivial). Its own process id keeps one op per process id when both lanes have
     * one open.
     */
    static String lane(TimedFault f) {
        return f.kind() == FaultKind.CLOCK_JUMP ? f.target() + "-clock" : f.target();
    }

    private void start(TimedFault f) throws InterruptedException {
        long lateMs = history.elapsedMs() - f.stopMs();
        // A late fault that waits for its process's step is not moved: it starts late as it is (movable).
        boolean moved = lateMs > 0 && movable(f.kind());
        if (moved && !moveLate(f, lateMs)) {
            return;
        }
        if (f.kind() == FaultKind.BROKER_KILL_IN_RELAY_TRANSACTION) {
            startKillInRelayTransaction(f);
            return;
        }
        if (f.kind() == FaultKind.RELAY_STALL_PAST_TRANSACTION_TIMEOUT) {
            startRelayStall(f);
            return;
        }
        if (f.kind().isSelfStop()) {
            watchSelfStop(f);
        }
        if (f.kind().isCrashWindow()) {
            // The child records the start itself when it reaches its step.
            try {
                if (!processor(f).arm(f.kind())) {
                    log.accept("could not arm " + f.kind().wireName() + " in " + f.target() + " (down); it may arm on "
                            + "restart");
                }
            } catch (java.io.IOException | RuntimeException e) {
                log.accept("arming " + f.kind().wireName() + " in " + f.target() + " failed: " + e);
            }
            return;
        }
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
        history.invoke(proc(f), n);
        try {
            inject(f, moved);
            if (moved) {
                // From the injection, not the move: a Kafka node fault may have waited for its turn.
                movedAtMs.put(f, history.elapsedMs());
            }
            history.ok(proc(f), n);
        } catch (InterruptedException e) {
            history.info(proc(f), n, "interrupted");
            throw e;
        } catch (Exception e) {
            history.fail(proc(f), n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * The target's earlier steps ran past this fault's whole window (a broker restart on a loaded machine can take
     * tens of seconds: soak seed 329307957 lost 10 power losses that way, and every planned fault counts for
     * triviality). Moves it: recorded as a failed start saying {@code moved}, then injected for its planned length
     * once the target has rested {@link #MOVED_REST_MS} since its last heal, so restarts cannot pile up into a
     * target that is never up. A Kafka node is one lane of three that share one rule (one node down or paused at a
     * time): a moved fault on it also waits for its turn, until no other node is down and the cluster has been whole
     * {@link #MOVED_REST_MS} ({@link OneNodeAtATime}), and its length counts from when it took effect. Skipped instead
     * (a failed start saying {@code skipped}) when the moved fault would not heal before the run heals. Kinds that
     * wait for a step never come here ({@link #movable}).
     *
     * @return whether to inject it now
     */
    private boolean moveLate(TimedFault f, long lateMs) throws InterruptedException {
        long lengthMs = f.stopMs() - f.startMs();
        long atMs = Math.max(history.elapsedMs(), lastHealMs.getOrDefault(lane(f), Long.MIN_VALUE / 2) + MOVED_REST_MS);
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
        history.invoke(proc(f), n);
        if (atMs + lengthMs > schedule.healAtMs()) {
            skipped.add(f);
            history.fail(proc(f), n, "skipped: its window ended " + lateMs + " ms before the target's earlier steps "
                    + "were done, too late to move before the heal at " + schedule.healAtMs() + " ms");
            log.accept("skipped " + f.kind().wireName() + " on " + f.target() + ": the target's earlier steps ran "
                    + lateMs + " ms past its window");
            return false;
        }
        String turn = clusterNode(f) ? " or, on a Kafka node, once no other node is down and the cluster has been "
                + "whole " + MOVED_REST_MS + " ms (by " + (schedule.healAtMs() - lengthMs) + " ms or not at all)" : "";
        history.fail(proc(f), n, "moved: its window ended " + lateMs + " ms before the target's earlier steps were "
                + "done; injected at " + atMs + " ms" + turn + " for " + lengthMs + " ms");
        log.accept("moved " + f.kind().wireName() + " on " + f.target() + " to " + atMs + " ms: the target's earlier "
                + "steps ran " + lateMs + " ms past its window");
        sleepUntil(atMs);
        return true;
    }

    /** A fault on a node of the Kafka cluster, whose nodes are separate lanes under one rule. */
    private boolean clusterNode(TimedFault f) {
        return brokers != null && brokers.isCluster() && brokers.isBroker(f.target());
    }

    /**
     * Whether a late fault of this kind is moved. Every kind is, on both engines (a Kafka node fault also waits for
     * the cluster's turn, {@link Brokers#kill(String, long, long)}), except the crash windows
     * ({@link FaultKind#isCrashWindow}: the crash points, the zombie and the relay-transaction kinds). Those are
     * neither moved nor skipped: they take effect only when their process reaches a step, and their start already
     * waits for it up to the end of the workload (armed, watched, or {@link #stepWaitMs}), so a late start is the
     * same fault started late; the child or the nemesis records the start when the step comes. Moving one would
     * only add a rest that their ends (a watcher thread, a node restart on a thread of its own) do not record.
     */
    static boolean movable(FaultKind k) {
        return !k.isCrashWindow();
    }

    /** How long a moved Kafka node fault may wait for its turn: while it could still heal before the run heals. */
    private long turnWaitMs(TimedFault f) {
        return Math.max(0, schedule.healAtMs() - (f.stopMs() - f.startMs()) - history.elapsedMs());
    }

    private void sleepUntil(long atMs) throws InterruptedException {
        long waitMs = atMs - history.elapsedMs();
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
    }

    private void stop(TimedFault f) throws InterruptedException {
        if (skipped.remove(f)) {
            return;
        }
        Long movedAt = movedAtMs.remove(f);
        if (movedAt != null) {
            sleepUntil(movedAt + f.stopMs() - f.startMs());
        }
        if (f.kind().isSelfStop()) {
            stopZombie(f);
            return;
        }
        if (f.kind() == FaultKind.BROKER_KILL_IN_RELAY_TRANSACTION) {
            stopKillInRelayTransaction(f);
            return;
        }
        if (f.kind() == FaultKind.RELAY_STALL_PAST_TRANSACTION_TIMEOUT) {
            stopRelayStall(f);
            return;
        }
        if (f.kind().isCrashWindow()) {
            if (!processor(f).fired(f.kind())) {
                // A loaded machine or a processor just back from a restart may not reach a batch within the
                // window; the crash is what makes the run non-trivial, so the point stays armed.
                log.accept("crash window of " + f.target() + " ended before a batch reached the crash point; it stays "
                        + "armed until one does or the workload ends");
                extendedCrashWindows.add(f);
            }
            return;
        }
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.STOP);
        history.invoke(proc(f), n);
        try {
            heal(f);
            history.ok(proc(f), n);
        } catch (InterruptedException e) {
            history.info(proc(f), n, "interrupted");
            throw e;
        } catch (Exception e) {
            history.fail(proc(f), n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        lastHealMs.put(lane(f), history.elapsedMs());
    }

    private void inject(TimedFault f, boolean moved) throws Exception {
        if (f.kind().proxyPolicy().isPresent()) {
            FaultPolicy policy = f.kind().proxyPolicy().get();
            proxy(f).setPolicy(policy, params(f.kind()));
            return;
        }
        String t = f.target();
        switch (f.kind()) {
            case KILL -> {
                if (brokers.isBroker(t)) {
                    String hit = moved ? brokers.kill(t, MOVED_REST_MS, turnWaitMs(f)) : brokers.kill(t);
                    log.accept("kill " + t + ": SIGKILL " + hit);
                } else {
                    child(f).killAndHold();
                }
            }
            case PAUSE -> {
                if (brokers.isBroker(t)) {
                    String hit = moved ? brokers.pause(t, MOVED_REST_MS, turnWaitMs(f)) : brokers.pause(t);
                    log.accept("pause " + t + ": SIGSTOP " + hit);
                } else {
                    child(f).pause();
                }
            }
            case REBALANCE_STORM, SECOND_RELAY -> spare(f).join();
            case POWER_LOSS -> {
                List<PowerCut.Cut> cuts = brokers.powerLoss(t, powerCutRandom);
                long lost = cuts.stream().mapToLong(PowerCut.Cut::bytesLost).sum();
                log.accept("power loss: " + cuts.stream().filter(c -> c.bytesLost() > 0).count() + " of " + cuts.size()
                        + " files cut, " + lost + " unforced bytes lost");
            }
            case CLOCK_JUMP -> {
                long jumpMs = clockJumpMs();
                ControlledInstantSource.writeOffset(BrokerNode.clockFile(runDir, t), jumpMs);
                log.accept("clock jump: " + t + " wall clock " + (jumpMs > 0 ? "+" : "") + jumpMs + " ms");
            }
            default -> throw new IllegalArgumentException("no injector for " + f);
        }
    }

    private void heal(TimedFault f) throws Exception {
        if (f.kind().proxyPolicy().isPresent()) {
            proxy(f).heal();
            return;
        }
        String t = f.target();
        switch (f.kind()) {
            case KILL, POWER_LOSS -> {
                if (brokers.isBroker(t)) {
                    brokers.ensureRunning(t);
                } else {
                    child(f).release();
                }
            }
            case PAUSE -> {
                if (brokers.isBroker(t)) {
                    brokers.resume(t);
                } else {
                    child(f).resume();
                }
            }
            case REBALANCE_STORM, SECOND_RELAY -> spare(f).leave();
            case CLOCK_JUMP -> ControlledInstantSource.writeOffset(BrokerNode.clockFile(runDir, t), 0);
            default -> throw new IllegalArgumentException("no healer for " + f);
        }
    }

    /** The node the relay's open transaction's coordinator ran on, per target, between start and stop. */
    private final Map<String, String> killedCoordinator = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Arms the relay to hold its next pass's Kafka transaction open, waits until Kafka reports the transaction
     * ongoing, then SIGKILLs the node coordinating it; recorded as one nemesis start on the relay. Like a crash window
     * it waits past its planned end, until the workload heals, for a relay that is down or has nothing to publish
     * (its processor restarting): only one that never opened a transaction by then is a failed start.
     */
    private void startKillInRelayTransaction(TimedFault f) throws InterruptedException {
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
        history.invoke(proc(f), n);
        try {
            if (!(brokers instanceof KafkaCluster cluster)) {
                throw new IllegalStateException("only the Kafka engine has relay transactions");
            }
            processor(f).arm(f.kind());
            String node = cluster.killCoordinatorOfOngoing(KafkaVerifyRun.RELAY_TRANSACTIONAL_ID,
                    stepWaitMs(f, schedule.healAtMs(), history.elapsedMs()));
            killedCoordinator.put(f.target(), node);
            log.accept(f.kind().wireName() + ": SIGKILL " + node + ", coordinator of the open transaction of "
                    + KafkaVerifyRun.RELAY_TRANSACTIONAL_ID);
            history.ok(proc(f), n);
        } catch (Exception e) {
            processor(f).disarm(f.kind());
            history.fail(proc(f), n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * How long a relay fault waits for the relay to open a transaction ({@code nowMs} into the run): its window, or
     * longer, until the workload heals, as a crash window stays armed past its planned end; a relay that is down or
     * has nothing to publish (its processor restarting) reaches the step late.
     */
    static long stepWaitMs(TimedFault f, long healAtMs, long nowMs) {
        return Math.max(f.stopMs() - f.startMs(), healAtMs - nowMs);
    }

    /**
     * How much longer a process stopped at {@code stoppedAtNs} stays stopped at {@code nowNs}: the fault's whole
     * length counts from the stop, however late in (or after) its window the stop came; 0 once it has passed.
     */
    static long holdLeftMs(TimedFault f, long stoppedAtNs, long nowNs) {
        return Math.max(0, f.stopMs() - f.startMs() - (nowNs - stoppedAtNs) / 1_000_000);
    }

    /** When each relay stall's SIGSTOP took effect (nanoTime), by fault, between its start and stop. */
    private final Map<TimedFault, Long> relayStalledAt = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Arms the relay to hold its next pass's Kafka transaction open, waits (until the workload heals, like a crash
     * window) until Kafka reports the transaction ongoing, then SIGSTOPs the relay: the transaction stays open at the
     * coordinator with nobody to end it. (A relay that stopped itself right after its sends had often not sent them
     * yet: the records and so the transaction reached Kafka only after SIGCONT, and the commit then succeeded.)
     */
    private void startRelayStall(TimedFault f) throws InterruptedException {
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
        history.invoke(proc(f), n);
        ProcessorNode relay = processor(f);
        try {
            if (!(brokers instanceof KafkaCluster cluster)) {
                throw new IllegalStateException("only the Kafka engine has relay transactions");
            }
            relay.arm(f.kind());
            String node = cluster.awaitOngoing(KafkaVerifyRun.RELAY_TRANSACTIONAL_ID,
                    stepWaitMs(f, schedule.healAtMs(), history.elapsedMs()));
            relay.pause();
            relayStalledAt.put(f, System.nanoTime());
            // Read by the relay once it is continued: it then tries to commit, past the timeout.
            relay.disarm(f.kind());
            log.accept(f.kind().wireName() + ": SIGSTOP " + f.target() + " with its transaction open (coordinator "
                    + node + ")");
            history.ok(proc(f), n);
        } catch (Exception e) {
            relay.disarm(f.kind());
            history.fail(proc(f), n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Continues the stalled relay once it has been stopped for the fault's planned length (past the timeout). */
    private void stopRelayStall(TimedFault f) throws InterruptedException {
        Long at = relayStalledAt.remove(f);
        if (at == null) {
            return; // the start failed and said so
        }
        long leftMs = holdLeftMs(f, at, System.nanoTime());
        if (leftMs > 0) {
            Thread.sleep(leftMs);
        }
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.STOP);
        history.invoke(proc(f), n);
        try {
            processor(f).resume();
            history.ok(proc(f), n);
        } catch (Exception e) {
            history.fail(proc(f), n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Lets the relay go on, then restarts the killed node on a thread of its own: a node restart takes 10-40 s on a
     * loaded machine and must not hold up the relay's next faults (they run on the relay's executor). The stop is
     * recorded on its own process id once the node is back.
     */
    private void stopKillInRelayTransaction(TimedFault f) {
        processor(f).disarm(f.kind());
        String node = killedCoordinator.remove(f.target());
        if (node == null) {
            return; // the start failed and said so
        }
        String stopProc = proc(f) + "-coordinator";
        Thread t = new Thread(() -> {
            EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.STOP);
            history.invoke(stopProc, n);
            try {
                brokers.ensureRunning(node);
                history.ok(stopProc, n);
            } catch (Exception e) {
                history.fail(stopProc, n, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }, "nemesis-restart-" + node);
        t.setDaemon(true);
        t.start();
    }

    /**
     * A zombie's (or the relay stall's) window opens: a watcher waits until the child stops itself and holds it
     * stopped for the planned length from that moment, however late in the window (or after it) that is: a zombie
     * continued at the window's planned end had sometimes been stopped for 2.8 s, less than the session timeout
     * (seed 961444), and was no zombie. Pending until then; {@link #endCrashWindows} ends one that never fired.
     */
    private void watchSelfStop(TimedFault f) {
        ProcessorNode p = processor(f);
        extendedCrashWindows.add(f);
        Thread w = new Thread(() -> watchZombie(f, p), "zombie-watch-" + f.target());
        w.setDaemon(true);
        zombieWatchers.add(w);
        w.start();
    }

    /** The window's planned end: the watcher owns the fault; say so if the child has not reached its step yet. */
    private void stopZombie(TimedFault f) {
        if (extendedCrashWindows.contains(f) && !processor(f).zombieStopped()) {
            log.accept(f.kind().wireName() + " window of " + f.target() + " ended before the child reached its step; "
                    + "it stays armed until it does or the workload ends");
        }
    }

    /** Waits until the armed child stops itself, holds it stopped for the planned length, then continues it. */
    private void watchZombie(TimedFault f, ProcessorNode p) {
        try {
            while (!p.zombieStopped()) {
                Thread.sleep(100);
            }
            Thread.sleep(f.stopMs() - f.startMs());
            if (extendedCrashWindows.remove(f)) {
                endZombie(f, p);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends SIGCONT and records the stop (or a failed start when it never fired). */
    private void endZombie(TimedFault f, ProcessorNode p) {
        boolean fired;
        try {
            fired = p.endSelfStop(f.kind());
        } catch (java.io.IOException | RuntimeException e) {
            log.accept("ending the " + f.kind().wireName() + " of " + f.target() + " failed: " + e);
            fired = false;
        }
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()),
                fired ? NemesisPhase.STOP : NemesisPhase.START);
        // Its own process id: the target's executor may have an op open on nemesis.<target> right now (seed 961444:
        // the relay's broker-kill-in-relay-transaction was waiting for a transaction when its stall ended, and the
        // watcher's invoke broke the one-op-per-process rule and died, leaving the relay stopped).
        String watchProc = proc(f) + "-" + f.kind().wireName();
        synchronized (zombieWatchers) {
            history.invoke(watchProc, n);
            if (fired) {
                history.ok(watchProc, n);
            } else {
                history.fail(watchProc, n, "armed from " + f.startMs() + " ms to the end of the workload but the "
                        + "child never reached its step (it was down or idle)");
            }
        }
    }

    /**
     * A seeded jump between {@value #CLOCK_JUMP_MIN_MS} and {@value #CLOCK_JUMP_MAX_MS} ms, forwards or back: longer
     * than the session and ack timeouts, so a wall-clock deadline would expire (or freeze) visibly.
     */
    private synchronized long clockJumpMs() {
        long magnitude = CLOCK_JUMP_MIN_MS + clockRandom.nextLong(CLOCK_JUMP_MAX_MS - CLOCK_JUMP_MIN_MS + 1);
        return clockRandom.nextBoolean() ? magnitude : -magnitude;
    }

    private ProcessorNode spare(TimedFault f) {
        ProcessorNode p = spares.get(f.target());
        if (p == null) {
            throw new IllegalStateException("this run has no process that joins for " + f.kind().wireName() + " on "
                    + f.target() + "; spares " + spares.keySet());
        }
        return p;
    }

    private ProcessorNode processor(TimedFault f) {
        ProcessorNode p = processors.get(f.target());
        if (p == null) {
            throw new IllegalArgumentException("no process named " + f.target() + "; processors " + processors.keySet()
                    + ", producers " + producers.keySet());
        }
        return p;
    }

    /** The producer or processor the fault hits. */
    private ChildNode child(TimedFault f) {
        ChildNode c = producers.containsKey(f.target()) ? producers.get(f.target()) : processors.get(f.target());
        if (c == null) {
            throw new IllegalArgumentException("no process named " + f.target() + "; processors " + processors.keySet()
                    + ", producers " + producers.keySet());
        }
        return c;
    }

    private ProxyGroup proxy(TimedFault f) {
        ProxyGroup p = proxies.get(f.target());
        if (p == null) {
            throw new IllegalArgumentException("no proxy named " + f.target());
        }
        return p;
    }

    /**
     * Stall until healed; delay 40 ms + up to 40 ms jitter; a latency spike 600 ms + up to 900 ms, past the
     * clients' 1 s request timeout; the rest as the proxy's defaults.
     */
    static FaultParams params(FaultKind kind) {
        return switch (kind) {
            case STALL -> FaultParams.DEFAULTS.withStall(Duration.ZERO);
            case DELAY -> FaultParams.DEFAULTS.withDelay(Duration.ofMillis(40), Duration.ofMillis(40));
            case LATENCY_SPIKE -> FaultParams.DEFAULTS.withDelay(Duration.ofMillis(600), Duration.ofMillis(900));
            default -> FaultParams.DEFAULTS;
        };
    }
}
