package io.semel.verify.run;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.NemesisPhase;
import io.semel.verify.proxy.FaultParams;
import io.semel.verify.proxy.FaultPolicy;
import io.semel.verify.proxy.FaultProxy;
import io.semel.verify.schedule.FaultKind;
import io.semel.verify.schedule.FaultSchedule;
import io.semel.verify.schedule.TimedFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Executes a {@link FaultSchedule} on its own thread: at each fault's start and stop it acts and records a
 * {@code nemesis} op (invoke, then ok when it took effect or fail when it could not be injected), on process
 * id {@value #PROC}. The crash point is the exception: arming it records nothing, the child records the
 * crash itself when it fires and the processor's watchdog records the restart as the stop; a crash window
 * that ends without the crash firing is recorded as a failed start.
 */
final class Nemesis {
    static final String PROC = "nemesis";

    private record Step(long atMs, boolean start, TimedFault fault) {
    }

    private final FaultSchedule schedule;
    private final Map<String, FaultProxy> proxies;
    private final BrokerNode broker;
    private final ProcessorNode processor;
    private final RunHistory history;
    private final Thread thread;
    private volatile Throwable failure;

    Nemesis(FaultSchedule schedule, Map<String, FaultProxy> proxies, BrokerNode broker, ProcessorNode processor,
            RunHistory history) {
        this.schedule = schedule;
        this.proxies = Map.copyOf(proxies);
        this.broker = broker;
        this.processor = processor;
        this.history = history;
        this.thread = new Thread(this::run, "nemesis");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void join() throws InterruptedException {
        thread.join();
        if (failure != null) {
            throw new IllegalStateException("the nemesis failed: " + failure, failure);
        }
    }

    void interrupt() {
        thread.interrupt();
    }

    private void run() {
        List<Step> steps = new ArrayList<>();
        for (TimedFault f : schedule.faults()) {
            steps.add(new Step(f.startMs(), true, f));
            steps.add(new Step(f.stopMs(), false, f));
        }
        // Stops before starts at the same instant: faults never overlap.
        steps.sort(Comparator.comparingLong(Step::atMs).thenComparing(Step::start));
        try {
            for (Step s : steps) {
                long waitMs = s.atMs - history.elapsedMs();
                if (waitMs > 0) {
                    Thread.sleep(waitMs);
                }
                if (s.start) {
                    start(s.fault);
                } else {
                    stop(s.fault);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void start(TimedFault f) throws InterruptedException {
        if (f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK) {
            if (!processor.arm()) {
                System.err.println("verify: could not arm the crash point (processor down); it may arm on restart");
            }
            return;
        }
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
        history.invoke(PROC, n);
        try {
            inject(f);
            history.ok(PROC, n);
        } catch (InterruptedException e) {
            history.info(PROC, n, "interrupted");
            throw e;
        } catch (Exception e) {
            history.fail(PROC, n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void stop(TimedFault f) throws InterruptedException {
        if (f.kind() == FaultKind.CRASH_AFTER_COMMIT_BEFORE_ACK) {
            if (!processor.disarm()) {
                // The header promised this fault; say plainly that it did not happen.
                EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.START);
                history.invoke(PROC, n);
                history.fail(PROC, n, "armed for " + (f.stopMs() - f.startMs()) + " ms but no batch reached the crash point");
            }
            return;
        }
        EventValue.Nemesis n = new EventValue.Nemesis(f.kind().wireName(), List.of(f.target()), NemesisPhase.STOP);
        history.invoke(PROC, n);
        try {
            heal(f);
            history.ok(PROC, n);
        } catch (InterruptedException e) {
            history.info(PROC, n, "interrupted");
            throw e;
        } catch (Exception e) {
            history.fail(PROC, n, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void inject(TimedFault f) throws Exception {
        if (f.kind().proxyPolicy().isPresent()) {
            FaultPolicy policy = f.kind().proxyPolicy().get();
            proxy(f).setPolicy(policy, params(policy));
            return;
        }
        switch (f.kind()) {
            case KILL -> {
                if (f.target().equals(RunSchedule.BROKER)) {
                    broker.process().kill();
                } else {
                    processor.killAndHold();
                }
            }
            case PAUSE -> processor.pause();
            default -> throw new IllegalArgumentException("no injector for " + f);
        }
    }

    private void heal(TimedFault f) throws Exception {
        if (f.kind().proxyPolicy().isPresent()) {
            proxy(f).heal();
            return;
        }
        switch (f.kind()) {
            case KILL -> {
                if (f.target().equals(RunSchedule.BROKER)) {
                    broker.ensureRunning();
                } else {
                    processor.release();
                }
            }
            case PAUSE -> processor.resume();
            default -> throw new IllegalArgumentException("no healer for " + f);
        }
    }

    private FaultProxy proxy(TimedFault f) {
        FaultProxy p = proxies.get(f.target());
        if (p == null) {
            throw new IllegalArgumentException("no proxy named " + f.target());
        }
        return p;
    }

    /** Stall until healed; delay 40 ms + up to 40 ms jitter; the rest as the proxy's defaults. */
    static FaultParams params(FaultPolicy policy) {
        return switch (policy) {
            case STALL -> FaultParams.DEFAULTS.withStall(Duration.ZERO);
            case DELAY -> FaultParams.DEFAULTS.withDelay(Duration.ofMillis(40), Duration.ofMillis(40));
            default -> FaultParams.DEFAULTS;
        };
    }
}
