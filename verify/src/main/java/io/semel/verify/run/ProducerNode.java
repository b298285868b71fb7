package io.semel.verify.run;

import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ChildChannel;
import io.semel.verify.run.child.ProducerChild;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One producer child ({@link ProducerChild}) across its lives ({@link ChildNode}); each generation has its own
 * process ids and message ids. After any death — a nemesis kill, or the child stopping on its own (a fatal
 * producer error) — the node waits until the dead generation's event stream has ended, then records every send
 * it left open as {@code info}: a killed producer's in-flight sends may have been appended. The watchdog
 * restarts a child that died on its own after {@link #RESTART_DELAY_MS}; a nemesis kill holds it down until the
 * fault's stop.
 *
 * <p>Thread-safe: every state change holds {@code this}; the watchdog and the nemesis threads call in.
 */
final class ProducerNode extends ChildNode {
    /** How long a stopping child may take to finish its sends (a delivery timeout and the lane's slack). */
    static final long STOP_WAIT_MS = ProducerChild.DELIVERY_TIMEOUT_MS + ProducerChild.WAIT_SLACK_MS + 2_000;

    private final String mainClass;
    private int unplannedDeaths;

    ProducerNode(String name, List<String> baseArgs, Path runDir, EventSink sink, RunHistory history,
            ProcessListener listener) {
        this(name, ProducerChild.class.getName(), baseArgs, runDir, sink, history, listener);
    }

    /** A producer child with another main class (the Kafka engine's {@code KafkaProducerChild}). */
    ProducerNode(String name, String mainClass, List<String> baseArgs, Path runDir, EventSink sink, RunHistory history,
            ProcessListener listener) {
        super(name, baseArgs, runDir, sink, history, listener);
        this.mainClass = mainClass;
    }

    @Override
    ChildSpec spec(List<String> args) {
        return ChildSpec.of(name, mainClass, runDir, ProducerChild.READY)
                .withArgs(args).withHeapMb(192).withReadyTimeout(Duration.ofSeconds(30));
    }

    /** After a nemesis kill its open sends become {@code info}. */
    @Override
    void killed() throws InterruptedException {
        afterDeath("killed by the nemesis (SIGKILL) while the send was in flight");
    }

    @Override
    void diedOnItsOwn() throws IOException, InterruptedException {
        unplannedDeaths++;
        System.err.println("verify: " + name + " g" + generation + " died on its own (exit "
                + current.exitCode().orElse(-1) + "); restarting");
        afterDeath("the producer died on its own with the send in flight");
        Thread.sleep(RESTART_DELAY_MS);
        startNext();
    }

    /** Final phase: resume if paused, start if dead, so the workload's end is the same for every producer. */
    synchronized void heal() throws IOException {
        held = false;
        resume();
        if (!stopped && !alive()) {
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
        if (!alive()) {
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
        awaitEventsClosed();
        history.closeOpen(name + ".", why);
    }
}
