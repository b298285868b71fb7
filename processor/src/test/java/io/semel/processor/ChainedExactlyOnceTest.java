package io.semel.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.outbox.OutboxRelay;
import io.semel.processor.outbox.RelayChild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A → relay → B, exactly once end to end ({@link Chain}): processor A consumes {@code in}, updates its
 * table and sends to {@code mid} through its outbox; a relay publishes the outbox; processor B applies
 * a non-idempotent increment. The relay dies repeatedly mid-stream — as a child JVM halted at its
 * crash points and SIGKILLed, or in-process with A restarted too — and is restarted until done.
 * B's balances must equal the sums of A's inputs, and {@code mid} must hold each outgoing id once.
 */
class ChainedExactlyOnceTest {
    private static final int MESSAGES = 2_000;
    /** A must be this far ahead of the relay before the crash-point rounds: 3 passes of 25 rows each. */
    private static final int AHEAD_OF_RELAY = 200;
    private static final int SIGKILLS = 4;
    /** Inputs sent before each SIGKILL round. */
    private static final int MORE_PER_KILL = 300;

    @TempDir
    Path dir;

    @Test
    void relayChildHaltedAtItsCrashPointsAndSigkilledStillDeliversEachMessageToBExactlyOnce() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String context = "seed " + seed;
        try (Chain chain = new Chain(dir)) {
            chain.send(MESSAGES, random);
            ExactlyOnceProcessor a = chain.startA();
            ExactlyOnceProcessor b = chain.startB();
            // Enough outbox rows pending that every crash-point child reaches its third pass.
            chain.awaitTrue("A ahead of the relay", 60_000, () -> chain.processedA() >= AHEAD_OF_RELAY);
            for (String point : List.of(CrashPoints.RELAY_AFTER_ASSIGN_BEFORE_SEND,
                    CrashPoints.RELAY_AFTER_SEND_BEFORE_MARK_SENT)) {
                Process child = startRelay(chain, List.of("-D" + CrashPoints.PROPERTY + "=" + point + "@3"), false,
                        point);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("%s child ends (%s)", point, context).isTrue();
                assertThat(child.exitValue()).as("halted at %s (%s)", point, context).isEqualTo(CrashPoints.EXIT_STATUS);
                assertThat(Files.readString(out(point))).contains("CRASH " + point);
            }
            int midStreamKills = 0;
            for (int round = 0; round < SIGKILLS; round++) {
                String name = "kill-" + round;
                chain.send(MORE_PER_KILL, random); // fresh work, so the kill lands while rows stream
                Process child = startRelay(chain, List.of(), false, name);
                // Once the relay runs (it printed its first pass), kill it at a random moment.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!running(out(name)) && child.isAlive()) {
                    assertThat(System.nanoTime()).as("relay child starts (%s)", context).isLessThan(deadline);
                    Thread.sleep(5);
                }
                Thread.sleep(random.nextInt(300));
                boolean pending = !chain.outboxEmpty();
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                if (pending) {
                    midStreamKills++;
                }
            }
            chain.awaitTrue("A processed every input", 120_000, () -> chain.processedA() == chain.sent);
            a.stop();
            Process drain = startRelay(chain, List.of(), true, "drain");
            assertThat(drain.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(drain.exitValue()).as("drain relay (%s), see %s", context, out("drain")).isZero();
            assertThat(chain.outboxEmpty()).isTrue();
            chain.awaitTrue("B processed every message", 120_000, () -> chain.processedB() == chain.sent);
            b.stop();
            System.out.printf("chained relay-child test (%s): %d SIGKILLs with rows pending, 2 crash-point halts%n",
                    context, midStreamKills);
            assertThat(midStreamKills).as("at least one SIGKILL landed with rows pending (%s)", context).isPositive();
            chain.assertExactlyOnceEndToEnd(context);
        }
    }

    @Test
    void inProcessRelayCrashingAtItsPointsWithARestartedProcessorAStillDeliversExactlyOnce() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String context = "seed " + seed;
        AtomicInteger crashes = new AtomicInteger();
        try (Chain chain = new Chain(dir)) {
            chain.send(MESSAGES, random);
            ExactlyOnceProcessor b = chain.startB();
            int rounds = 0;
            while (chain.processedA() < MESSAGES || !chain.outboxEmpty()) {
                boolean faulty = rounds < 6;
                long hookSeed = random.nextLong();
                Random dice = new Random(hookSeed);
                ExactlyOnceProcessor a = chain.startA();
                OutboxRelay relay = OutboxRelay.builder(chain.storeA, chain.broker.bootstrap()).relayName("chain-relay")
                        .relayBatchMax(25).pollIntervalMs(10).backoffMs(10, 50).crashHook(point -> {
                            // Thrown on the relay thread: the session is abandoned mid-pass, as by a crash;
                            // the relay's loop then starts a new producer session (new epoch).
                            if (faulty && dice.nextInt(4) == 0) {
                                crashes.incrementAndGet();
                                throw new IllegalStateException("simulated relay crash at " + point);
                            }
                        }).build().start();
                if (faulty) {
                    Thread.sleep(200 + random.nextInt(600));
                } else {
                    chain.awaitTrue("A and relay done", 120_000,
                            () -> chain.processedA() == MESSAGES && chain.outboxEmpty());
                }
                relay.close();
                a.stop();
                assertThat(relay.failure()).as("relay not diverged (%s)", context).isEmpty();
                rounds++;
                assertThat(rounds).as("rounds (%s)", context).isLessThan(30);
            }
            chain.awaitTrue("B processed every message", 120_000, () -> chain.processedB() == MESSAGES);
            b.stop();
            System.out.printf("chained in-process test (%s): %d rounds, %d simulated relay crashes%n", context, rounds,
                    crashes.get());
            assertThat(crashes.get()).as("relay crashes (%s)", context).isPositive();
            chain.assertExactlyOnceEndToEnd(context);
        }
    }

    private Path out(String name) {
        return dir.resolve("relay-" + name + ".out");
    }

    private Process startRelay(Chain chain, List<String> jvmArgs, boolean drain, String name) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-ea"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, RelayChild.class.getName(), chain.storeAFile.toString(),
                chain.broker.bootstrap()));
        if (drain) {
            cmd.add("drain");
        }
        // A file, not a pipe: a SIGKILL cannot lose lines already written.
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out(name).toFile()).start();
    }

    /** Whether the relay child finished its first pass ({@link RelayChild} prints "SENT n" after each). */
    private static boolean running(Path out) throws IOException {
        return Files.exists(out) && Files.readString(out, StandardCharsets.UTF_8).contains("SENT ");
    }
}
