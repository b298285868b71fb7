package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real files, real SIGKILL: a child JVM appends under load through group commit; the test kills
 * it mid-load, reopens the log here and checks the crash invariants.
 */
class LogKillTest {
    private static final int PRODUCERS = 4;
    private static final int CONFIRMS_BEFORE_KILL = 3_000;

    @TempDir
    Path dir;

    record Confirmed(long producerId, long baseSeq, long lastSeq, long baseOffset, long lastOffset) {
    }

    @Test
    void everyAppendConfirmedBeforeSigkillIsPresentExactlyOnceAfterRecovery() throws Exception {
        List<Confirmed> confirmed = runChildAndKill();
        assertThat(confirmed).hasSizeGreaterThanOrEqualTo(CONFIRMS_BEFORE_KILL);

        try (Partition partition = Partition.open(new FileStorage(dir), LogConfig.builder().segmentBytes(64 * 1024)
                .build(), 64, Clock.systemUTC())) {
            Map<String, Long> offsetOfRecord = readAll(partition);
            for (Confirmed c : confirmed) {
                for (long seq = c.baseSeq(); seq <= c.lastSeq(); seq++) {
                    String value = "p" + c.producerId() + "-s" + seq;
                    assertThat(offsetOfRecord).as("confirmed record %s", value).containsKey(value);
                    assertThat(offsetOfRecord.get(value)).as("offset of %s", value)
                            .isEqualTo(c.baseOffset() + (seq - c.baseSeq()));
                }
            }
            // A producer that never saw its last confirm retries it: still a duplicate, original offsets.
            Map<Long, Confirmed> lastPerProducer = new HashMap<>();
            confirmed.forEach(c -> lastPerProducer.merge(c.producerId(), c, (a, b) -> a.baseSeq() > b.baseSeq() ? a : b));
            for (Confirmed c : lastPerProducer.values()) {
                AppendOutcome retry = partition.append(LogKillChild.batch(c.producerId(), c.baseSeq()), (short) 0);
                assertThat(retry).isEqualTo(new AppendOutcome(c.baseOffset(), c.lastOffset(), true));
            }
        }
    }

    /** Reads the whole log; fails on any record seen twice or any gap in offsets. */
    private static Map<String, Long> readAll(Partition partition) throws IOException {
        Map<String, Long> offsets = new HashMap<>();
        long expected = partition.startOffset();
        while (expected < partition.nextOffset()) {
            for (RecordBatch batch : partition.read(expected, 1 << 20)) {
                assertThat(batch.baseOffset()).as("contiguous offsets").isEqualTo(expected);
                long offset = batch.baseOffset();
                for (LogRecord r : batch.records()) {
                    String value = new String(r.value(), StandardCharsets.UTF_8);
                    Long previous = offsets.put(value, offset++);
                    assertThat(previous).as("record %s appears twice", value).isNull();
                }
                expected = batch.nextOffset();
            }
        }
        return offsets;
    }

    private List<Confirmed> runChildAndKill() throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = dir.resolveSibling(dir.getFileName() + "-child.out");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classpath, LogKillChild.class.getName(), dir.toString(), Integer.toString(PRODUCERS))
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (parse(out).size() < CONFIRMS_BEFORE_KILL) {
                assertThat(child.isAlive()).as("child is still appending").isTrue();
                assertThat(System.nanoTime()).as("child confirms in time").isLessThan(deadline);
                Thread.sleep(20);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, mid-load
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // Everything the child printed before it died was confirmed, including lines after the poll.
            return parse(out);
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    private static List<Confirmed> parse(Path out) throws IOException {
        List<Confirmed> confirmed = new ArrayList<>();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        // The last line may be cut by the kill: only newline-terminated lines count.
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            String[] f = line.split(" ");
            if (f.length == 6 && f[0].equals("CONFIRMED")) {
                confirmed.add(new Confirmed(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5])));
            }
        }
        return confirmed;
    }
}
