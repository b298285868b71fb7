package io.semel.processor.outbox;

import io.semel.processor.CrashPoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.processor.store.JdbcStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real process deaths: the relay runs in a child JVM over a SQLite file and is killed with SIGKILL
 * mid-stream, or halts at a crash point (-Dsemel.crashPoints), and is restarted until every row is
 * sent. The topic must then hold every committed outbox row exactly once, in commit order per partition.
 */
class RelayKillTest extends RelayFixture {
    @Override
    protected JdbcStore openStore() {
        return JdbcStore.sqlite(dir.resolve("kill.db"));
    }

    @Override
    protected JdbcStore openFreshStore() {
        throw new UnsupportedOperationException("one store file in this test");
    }

    @Test
    void sigkilledAndCrashPointHaltedRelaysStillPublishEveryRowExactlyOnce() throws Exception {
        Map<String, String> committed = enqueue(1_500, 11);
        Path db = dir.resolve("kill.db");
        // Two SIGKILLs at arbitrary moments while sending.
        for (int round = 0; round < 2; round++) {
            Process child = start(db, List.of(), false, "kill-" + round);
            long target = 100L * (round + 1);
            Path out = dir.resolve("kill-" + round + ".out");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastSent(out) < target && child.isAlive()) {
                assertThat(System.nanoTime()).as("child relays in time").isLessThan(deadline);
                Thread.sleep(5);
            }
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // Halts at each crash point (the third pass that reaches it).
        for (String point : List.of(OutboxRelay.CRASH_AFTER_ASSIGN_BEFORE_SEND,
                OutboxRelay.CRASH_AFTER_SEND_BEFORE_MARK_SENT)) {
            Process child = start(db, List.of("-D" + CrashPoints.PROPERTY + "=" + point + "@3"), false, point);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("halted at %s", point).isEqualTo(CrashPoints.EXIT_STATUS);
        }
        Process last = start(db, List.of(), true, "drain");
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).isZero();
        assertExactlyOnceInOrder(committed);
    }

    private Process start(Path db, List<String> jvmArgs, boolean drain, String name) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, RelayChild.class.getName(), db.toString(), broker.bootstrap()));
        if (drain) {
            cmd.add("drain");
        }
        // A file, not a pipe: a SIGKILL cannot lose lines already written.
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
    }

    private static long lastSent(Path out) throws IOException {
        if (!Files.exists(out)) {
            return 0;
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        long last = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("SENT ")) {
                last = Long.parseLong(line.substring(5).trim());
            }
        }
        return last;
    }
}
