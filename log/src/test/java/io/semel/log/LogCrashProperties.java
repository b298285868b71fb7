package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * Deterministic crash simulation of one partition over {@link SimulatedStorage}: several
 * producers append (retrying what was not confirmed), the "disk" crashes, losing unforced bytes
 * and sometimes tearing the last write, and the partition is reopened. Each try is one seed; the
 * seed is in every failure message (and jqwik prints it) so a failure replays exactly.
 */
class LogCrashProperties {
    private static final int PRODUCERS = 3;
    /** Matches the client's in-flight limit and the broker's dedup window. */
    private static final int IN_FLIGHT_MAX = 5;
    private static final int STEPS = 300;
    private static final LogConfig CONFIG = LogConfig.builder().segmentBytes(2048).indexIntervalBytes(256).build();

    /** One producer's view: what it sent and whether it learned the outcome. */
    private static final class Producer {
        final long id;
        long nextSequence;
        final Deque<RecordBatch> unconfirmed = new ArrayDeque<>();
        final List<Confirmed> confirmed = new ArrayList<>();

        Producer(long id) {
            this.id = id;
        }
    }

    record Confirmed(RecordBatch sent, long baseOffset, long lastOffset) {
    }

    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void confirmedAppendsSurviveCrashesExactlyOnceAndRetriesStayDuplicates(@ForAll long seed) throws IOException {
        Random random = new Random(seed);
        SimulatedStorage storage = new SimulatedStorage();
        Partition partition = open(storage);
        List<Producer> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            producers.add(new Producer(p));
        }
        for (int step = 0; step < STEPS; step++) {
            int action = random.nextInt(100);
            Producer producer = producers.get(random.nextInt(PRODUCERS));
            if (action < 55) {
                sendNew(partition, producer, random, seed);
            } else if (action < 65) {
                retryUnconfirmed(partition, producer, seed);
            } else if (action < 85) {
                partition.flush();
                confirmAll(partition, producers, seed);
            } else {
                if (random.nextBoolean()) {
                    storage.crash();
                } else {
                    storage.crash(random.nextLong());
                }
                partition = open(storage);
                checkLog(partition, producers, seed);
                resendAllUnconfirmed(partition, producers, seed);
            }
        }
        partition.flush();
        confirmAll(partition, producers, seed);
        partition.close();
        partition = open(storage);
        checkLog(partition, producers, seed);
        checkRetriesOfConfirmedAreDuplicates(partition, producers, seed);
    }

    /**
     * Media corruption: one bit flipped anywhere in a segment, after a clean close or a crash.
     * Recovery or the read path must detect it: what is served is always an unaltered prefix of
     * what was written, the damage only ever cuts from the damaged batch on, and nothing corrupt
     * is returned. Failing loudly (an IOException naming the file) is allowed; serving bad bytes is not.
     */
    @Property(tries = 100, shrinking = ShrinkingMode.OFF)
    void aFlippedBitIsNeverServedAndOnlyCutsFromTheDamagedSegmentOn(@ForAll long seed) throws IOException {
        Random random = new Random(seed);
        SimulatedStorage storage = new SimulatedStorage();
        Partition partition = open(storage);
        Producer producer = new Producer(1);
        int batches = 20 + random.nextInt(60);
        for (int i = 0; i < batches; i++) {
            sendNew(partition, producer, random, seed);
            producer.unconfirmed.clear();
            if (random.nextInt(4) == 0) {
                partition.flush();
            }
        }
        partition.flush();
        List<RecordBatch> before = readPrefix(partition);
        assertThat(before).hasSize(batches);
        if (random.nextBoolean()) {
            partition.close();
        } else {
            storage.crash();
        }
        List<String> segments = storage.list().stream().filter(n -> n.endsWith(".log")).toList();
        String victim = segments.get(random.nextInt(segments.size()));
        long victimBase = Long.parseLong(victim.substring(0, victim.indexOf('.')));
        long size;
        try (StorageFile f = storage.open(victim)) {
            size = f.size();
        }
        storage.flipBit(victim, (long) (random.nextDouble() * size), random.nextInt(8));

        Partition reopened;
        try {
            reopened = open(storage);
        } catch (IOException loud) {
            return; // fail-stop naming the damage is an allowed outcome
        }
        List<RecordBatch> served = readPrefix(reopened);
        assertThat(served.size()).as("seed %d: the damaged batch is not served", seed).isLessThan(batches);
        for (int i = 0; i < served.size(); i++) {
            assertThat(served.get(i)).as("seed %d: served batch %d is unaltered", seed, i).isEqualTo(before.get(i));
        }
        long intactBefore = before.stream().filter(b -> b.nextOffset() <= victimBase).count();
        assertThat((long) served.size()).as("seed %d: batches before the damaged segment %s survive", seed, victim)
                .isGreaterThanOrEqualTo(intactBefore);
    }

    /** Reads from the start until the end of the log or the first read error. */
    private static List<RecordBatch> readPrefix(Partition partition) {
        List<RecordBatch> out = new ArrayList<>();
        long next = partition.startOffset();
        try {
            while (next < partition.nextOffset()) {
                List<RecordBatch> read = partition.read(next, 4096);
                if (read.isEmpty()) {
                    break;
                }
                for (RecordBatch b : read) {
                    out.add(b);
                    next = b.nextOffset();
                }
            }
        } catch (IOException damaged) {
            // detected on read: stop serving here
        }
        return out;
    }

    private static Partition open(SimulatedStorage storage) throws IOException {
        return Partition.open(storage, CONFIG, 16, Clock.systemUTC());
    }

    private static void sendNew(Partition partition, Producer producer, Random random, long seed) throws IOException {
        if (producer.unconfirmed.size() >= IN_FLIGHT_MAX) {
            return;
        }
        int records = 1 + random.nextInt(4);
        List<LogRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            String value = "p" + producer.id + "-s" + (producer.nextSequence + i) + "-" + "x".repeat(random.nextInt(60));
            list.add(LogRecord.of(null, value.getBytes(StandardCharsets.UTF_8)));
        }
        RecordBatch batch = RecordBatch.of(producer.id, (short) 0, producer.nextSequence, 1_000L, list);
        producer.nextSequence += records;
        AppendOutcome outcome = partition.append(batch, (short) 0);
        assertThat(outcome.duplicate()).as("seed %d: a new batch is not a duplicate", seed).isFalse();
        producer.unconfirmed.addLast(batch);
    }

    private static void retryUnconfirmed(Partition partition, Producer producer, long seed) throws IOException {
        // Without a crash every unconfirmed batch is still in the log (unforced): a retry is a duplicate.
        for (RecordBatch batch : producer.unconfirmed) {
            AppendOutcome outcome = partition.append(batch, (short) 0);
            assertThat(outcome.duplicate()).as("seed %d: retry of %s", seed, batch).isTrue();
        }
    }

    /** After a flush, every written batch is durable; producers learn offsets by scanning. */
    private static void confirmAll(Partition partition, List<Producer> producers, long seed) throws IOException {
        Map<String, long[]> located = locate(partition, seed);
        for (Producer producer : producers) {
            while (!producer.unconfirmed.isEmpty()) {
                RecordBatch batch = producer.unconfirmed.removeFirst();
                long[] offsets = located.get(key(producer.id, batch.baseSequence()));
                assertThat(offsets).as("seed %d: flushed batch %s is in the log", seed, batch).isNotNull();
                producer.confirmed.add(new Confirmed(batch, offsets[0], offsets[1]));
            }
        }
    }

    private static void resendAllUnconfirmed(Partition partition, List<Producer> producers, long seed)
            throws IOException {
        for (Producer producer : producers) {
            for (RecordBatch batch : producer.unconfirmed) {
                // Either it survived (duplicate) or it was lost and is appended now; never an error.
                partition.append(batch, (short) 0);
            }
        }
    }

    /** Invariants: confirmed present exactly once at their offsets; nothing twice; offsets contiguous. */
    private static void checkLog(Partition partition, List<Producer> producers, long seed) throws IOException {
        Map<String, long[]> located = locate(partition, seed);
        for (Producer producer : producers) {
            for (Confirmed c : producer.confirmed) {
                long[] offsets = located.get(key(producer.id, c.sent().baseSequence()));
                assertThat(offsets).as("seed %d: confirmed %s survives", seed, c.sent()).isNotNull();
                assertThat(offsets).as("seed %d: confirmed %s keeps its offsets", seed, c.sent())
                        .containsExactly(c.baseOffset(), c.lastOffset());
            }
        }
    }

    private static Map<String, long[]> locate(Partition partition, long seed) throws IOException {
        Map<String, long[]> located = new HashMap<>();
        long expected = partition.startOffset();
        while (expected < partition.nextOffset()) {
            List<RecordBatch> batches = partition.read(expected, 4096);
            assertThat(batches).as("seed %d: read at %d", seed, expected).isNotEmpty();
            for (RecordBatch batch : batches) {
                assertThat(batch.baseOffset()).as("seed %d: contiguous offsets", seed).isEqualTo(expected);
                batch.records(); // a returned batch always decodes
                long[] previous = located.put(key(batch.producerId(), batch.baseSequence()),
                        new long[] {batch.baseOffset(), batch.lastOffset()});
                assertThat(previous).as("seed %d: batch %s appears twice", seed, batch).isNull();
                expected = batch.nextOffset();
            }
        }
        return located;
    }

    private static void checkRetriesOfConfirmedAreDuplicates(Partition partition, List<Producer> producers,
            long seed) throws IOException {
        for (Producer producer : producers) {
            List<Confirmed> all = producer.confirmed;
            for (Confirmed c : all.subList(Math.max(0, all.size() - IN_FLIGHT_MAX), all.size())) {
                AppendOutcome outcome = partition.append(c.sent(), (short) 0);
                assertThat(outcome).as("seed %d: retry of confirmed %s", seed, c.sent())
                        .isEqualTo(new AppendOutcome(c.baseOffset(), c.lastOffset(), true));
            }
            if (all.size() > IN_FLIGHT_MAX) {
                // Older than the window: still a duplicate (never re-appended), offsets unknown.
                AppendOutcome outcome = partition.append(all.get(0).sent(), (short) 0);
                assertThat(outcome.duplicate()).as("seed %d: retry of the oldest batch", seed).isTrue();
            }
        }
        assertThat(ErrorCode.DUPLICATE_SEQUENCE.retriable()).isFalse();
    }

    private static String key(long producerId, long baseSequence) {
        return producerId + "/" + baseSequence;
    }
}
