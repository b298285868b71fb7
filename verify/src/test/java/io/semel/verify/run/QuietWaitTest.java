package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;


import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.Guarantee;
import io.semel.verify.history.LogRecord;
import io.semel.verify.run.child.Accounts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The final phase's quiet wait ({@link VerifyRun#awaitQuiet}) on a real SQLite store and a log held in memory: it
 * ends at once when every logged id is applied, calls the rest lost only after its no-progress wait, and keeps
 * waiting while applies progress, up to its cap. Short waits here; the runs' own are {@link
 * VerifyRun#quietNoProgressMs}.
 */
class QuietWaitTest {
    @TempDir
    Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final StringWriter logText = new StringWriter();
    private RunStore store;
    private JdbcStore processor;

    @BeforeEach
    void open() throws Exception {
        store = RunStore.sqlite(dir.resolve("store.db"));
        store.prepare(2);
        processor = JdbcStore.sqlite(dir.resolve("store.db"));
    }

    @AfterEach
    void close() throws Exception {
        processor.close();
        store.close();
    }

    /** A one-partition log holding {@code ids}, read from the given offset as the real drains do. */
    private LogDrain logOf(List<String> ids) {
        return next -> {
            List<LogRecord> out = new ArrayList<>();
            for (int o = (int) next[0]; o < ids.size(); o++) {
                out.add(new LogRecord(0, o, ids.get(o)));
                next[0] = o + 1;
            }
            return out;
        };
    }

    private void apply(String id) throws Exception {
        processor.inTransaction(tx -> {
            Accounts.apply(tx.connection(), new AddMessage(id, "a00", 1));
            return null;
        });
    }

    private long waitMs(LogDrain drain, long quietMs, long capMs) throws InterruptedException {
        long start = System.nanoTime();
        VerifyRun.awaitQuiet(drain, store, new PrintWriter(logText, true), 1, quietMs, capMs);
        logText.toString().lines().forEach(l -> log.add(l.substring(l.indexOf(' ') + 1)));
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void endsAtOnceWhenEveryLoggedIdIsApplied() throws Exception {
        apply("p1-1");
        apply("p1-2");
        assertThat(waitMs(logOf(List.of("p1-1", "p1-2")), 30_000, 60_000)).isLessThan(10_000);
        assertThat(log).containsExactly("quiet: all 2 logged ids applied");
    }

    @Test
    void callsTheRestLostOnlyAfterTheNoProgressWait() throws Exception {
        apply("p1-1");
        long ms = waitMs(logOf(List.of("p1-1", "p1-2")), 1_500, 60_000);
        assertThat(ms).isGreaterThanOrEqualTo(1_500).isLessThan(15_000);
        assertThat(log).containsExactly("quiet: no progress for 1500 ms; 1 logged ids not applied");
    }

    @Test
    void keepsWaitingWhileAppliesProgressUpToItsCap() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add("p1-" + i);
        }
        Thread applier = new Thread(() -> {
            try {
                for (String id : ids) {
                    apply(id);
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                // test over
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        applier.start();
        try {
            long ms = waitMs(logOf(ids), 2_000, 4_000);
            assertThat(ms).isGreaterThanOrEqualTo(4_000);
            // A read may meet the applier's write lock ("quiet wait: ..."): the wait goes on.
            assertThat(log).noneMatch(l -> l.startsWith("quiet: no progress")).last()
                    .isEqualTo("quiet: gave up after 4000 ms");
        } finally {
            applier.interrupt();
            applier.join();
        }
    }

    @Test
    void eachEngineWaitsLongerThanAProcessorsLongestLegitimatePause() {
        // A Semel processor between HELLO attempts: an unanswered HELLO (request timeout 5 s) plus its backoff (up to
        // 5 s); seed 751339 lost 856 messages to a 5 s wait. A Kafka processor restarted in the final phase needs a
        // JVM start, a group join and a fetch on top.
        VerifyConfig semel = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, 1, java.time.Duration.ofSeconds(90),
                Path.of("run"));
        assertThat(VerifyRun.quietNoProgressMs(semel)).isEqualTo(VerifyRun.QUIET_NO_PROGRESS_MS).isGreaterThan(10_000);
        assertThat(VerifyRun.quietNoProgressMs(semel.withEngine(VerifyConfig.Engine.KAFKA)))
                .isEqualTo(VerifyRun.KAFKA_QUIET_NO_PROGRESS_MS).isGreaterThan(VerifyRun.QUIET_NO_PROGRESS_MS);
    }

    @Test
    void withTolerantTimeoutsTheWaitOutlastsADeadMembersSessionAndItsAckTimeout() {
        // A processor killed just before the heal holds deliveries until its session ends and their ack timeout
        // passes; a wait shorter than both would call those messages lost.
        VerifyConfig soak = VerifyConfig.defaults(Guarantee.EXACTLY_ONCE, 1, java.time.Duration.ofMinutes(45),
                Path.of("run")).withFailover(VerifyConfig.Failover.TOLERANT);
        assertThat(VerifyRun.quietNoProgressMs(soak)).isGreaterThanOrEqualTo(
                VerifyConfig.Failover.TOLERANT.sessionTimeoutMs() + VerifyConfig.Failover.TOLERANT.ackTimeoutMs()
                        + 5_000L);
    }
}
