package io.semel.log;

import static io.semel.log.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Seeded crash simulations: a random run of appends, flushes and retention, then a crash that may
 * tear the last write. Replay a failure with its seed.
 */
class PartitionLogProperties {

    @Property(tries = 150)
    void afterAnyCrashTheLogIsAPrefixOfWhatWasAppendedThatKeepsEveryFlushedBatch(@ForAll long seed)
            throws IOException {
        Random random = new Random(seed);
        SimulatedStorage storage = new SimulatedStorage();
        TestBatches.ManualClock clock = new TestBatches.ManualClock(0);
        LogConfig config = LogConfig.builder().segmentBytes(200 + random.nextInt(800))
                .indexIntervalBytes(1 + random.nextInt(300)).build();
        PartitionLog log = PartitionLog.open(storage, config, clock);
        List<RecordBatch> appended = new ArrayList<>();
        long flushed = 0;
        int steps = 5 + random.nextInt(60);
        for (int i = 0; i < steps; i++) {
            int action = random.nextInt(10);
            if (action < 7) {
                appended.add(log.append(batch(1 + random.nextInt(4), random.nextInt(120), i, 'p')).batch());
            } else if (action < 9) {
                log.flush();
                flushed = log.nextOffset();
            } else {
                log.close();
                log = PartitionLog.open(storage, config, clock);
                flushed = log.nextOffset();
            }
        }
        storage.crash(seed);

        PartitionLog recovered = PartitionLog.open(storage, config, clock);
        List<RecordBatch> read = recovered.read(0, Integer.MAX_VALUE);
        assertThat(read.size()).isLessThanOrEqualTo(appended.size());
        assertThat(read).isEqualTo(appended.subList(0, read.size()));
        assertThat(recovered.nextOffset()).isGreaterThanOrEqualTo(flushed)
                .isEqualTo(read.isEmpty() ? 0 : read.get(read.size() - 1).nextOffset());
        RecordBatch next = recovered.append(batch(1, 5)).batch();
        assertThat(next.baseOffset()).isEqualTo(recovered.nextOffset() - 1);
        recovered.close();
        assertThat(PartitionLog.open(storage, config, clock).read(next.baseOffset(), 100)).containsExactly(next);
    }
}
