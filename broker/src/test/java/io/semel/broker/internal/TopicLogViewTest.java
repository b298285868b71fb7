package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.Message;
import io.semel.broker.group.MessageRun;
import io.semel.log.FileStorage;
import io.semel.log.FlushPolicy;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogConfig;
import io.semel.log.LogReader;
import io.semel.log.Partition;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import io.semel.protocol.RecordSlice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TopicLogView} over a real partition: reads only what a poll hands out, decodes each batch once. */
class TopicLogViewTest {
    @TempDir
    Path dir;
    private GroupCommitLog log;
    private Topic topic;

    private void open() throws Exception {
        LogReader reader = new LogReader();
        FileStorage storage = new FileStorage(dir);
        log = GroupCommitLog.start(() -> Partition.open(storage, LogConfig.builder().build(), 16, Clock.systemUTC(),
                reader), FlushPolicy.everyBatch(), 100, Thread::new);
        topic = new Topic("t", 0, List.of(log), List.of(reader));
    }

    @AfterEach
    void close() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    private void append(int firstValue, int records) throws Exception {
        List<LogRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(LogRecord.of(null, Integer.toString(firstValue + i).getBytes(StandardCharsets.UTF_8)));
        }
        log.append(RecordBatch.of(1_000L, list), (short) -1).get();
    }

    private static List<String> values(List<Message> messages) {
        return messages.stream().map(m -> new String(m.decoded().value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> range(int from, int count) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    @Test
    void pollsThatSplitABatchDecodeItOnce() throws Exception {
        open();
        append(0, 1_000);
        TopicLogView.Decoded decoded = new TopicLogView.Decoded();

        assertThat(values(new TopicLogView(topic, decoded).read(0, 0, 500))).isEqualTo(range(0, 500));
        assertThat(values(new TopicLogView(topic, decoded).read(0, 500, 500))).isEqualTo(range(500, 500));

        assertThat(decoded.batchesDecoded()).as("the second poll is served from the batch the first decoded")
                .isEqualTo(1);
    }

    @Test
    void aPollReadsNoBatchBeyondTheMessagesItHandsOut() throws Exception {
        open();
        append(0, 400);
        append(400, 400);
        append(800, 400);
        TopicLogView.Decoded decoded = new TopicLogView.Decoded();

        assertThat(values(new TopicLogView(topic, decoded).read(0, 0, 500))).isEqualTo(range(0, 500));
        assertThat(decoded.batchesDecoded()).as("batches 0..399 and 400..799, not 800..1199").isEqualTo(2);
        assertThat(values(new TopicLogView(topic, decoded).read(0, 500, 700))).isEqualTo(range(500, 700));
        assertThat(decoded.batchesDecoded()).isEqualTo(3);
        assertThat(new TopicLogView(topic, decoded).logEndOffset(0)).isEqualTo(1_200);
        assertThat(new TopicLogView(topic, decoded).readOne(0, 1_199).message().offset()).isEqualTo(1_199);
    }

    /**
     * readRuns over batches of 3, 5, 1, 7 and 4 messages: from every offset and for every budget,
     * runs are dense from the asked offset, each within one stored batch (a view of it, no copy),
     * at most maxMessages in all, never past the durable end, and as many as the batches they touch;
     * expanded, they are the messages {@link TopicLogView#read} returns, with the batches' values.
     */
    @Test
    void readRunsCutsAtStoredBatchesAndIsDenseBoundedAndTheSameMessagesAsRead() throws Exception {
        open();
        int[] sizes = {3, 5, 1, 7, 4};
        List<Long> batchStarts = new ArrayList<>();
        int total = 0;
        for (int size : sizes) {
            batchStarts.add((long) total);
            append(total, size);
            total += size;
        }
        batchStarts.add((long) total);
        long durableEnd = topic.reader(0).durableEnd();
        assertThat(durableEnd).isEqualTo(total);
        TopicLogView.Decoded decoded = new TopicLogView.Decoded();

        for (long from = 0; from <= total; from++) {
            for (int max = 1; max <= total + 2; max++) {
                List<MessageRun> runs = new TopicLogView(topic, decoded).readRuns(0, from, max);
                int expected = (int) Math.max(0, Math.min(max, durableEnd - from));
                long next = from;
                int batchesTouched = 0;
                List<Message> expanded = new ArrayList<>();
                for (MessageRun run : runs) {
                    assertThat(run.firstOffset()).as("dense from %d (max %d)", from, max).isEqualTo(next);
                    assertThat(run.count()).isPositive();
                    int batch = batchOf(batchStarts, run.firstOffset());
                    assertThat(run.nextOffset()).as("run %d..%d within batch %d", run.firstOffset(),
                            run.nextOffset() - 1, batch).isLessThanOrEqualTo(batchStarts.get(batch + 1));
                    assertThat(batchOf(batchStarts, next - 1) == batch && next > from).as("a new batch each run")
                            .isFalse();
                    batchesTouched++;
                    for (int i = 0; i < run.count(); i++) {
                        expanded.add(run.message(i));
                        if (i > 0) {
                            assertThat(run.records().record(i - 1).adjoins(run.records().record(i)))
                                    .as("a view of the stored batch").isTrue();
                        }
                    }
                    next = run.nextOffset();
                }
                assertThat(next - from).as("from %d, max %d", from, max).isEqualTo(expected);
                assertThat(next).isLessThanOrEqualTo(durableEnd);
                assertThat(batchesTouched).isEqualTo(expected == 0 ? 0
                        : batchOf(batchStarts, from + expected - 1) - batchOf(batchStarts, from) + 1);
                assertThat(values(expanded)).isEqualTo(range((int) from, expected));
                assertThat(expanded).allMatch(m -> m.timestampMs() == 1_000L, "the batch timestamp");
                assertThat(expanded).as("read is the runs, message by message")
                        .isEqualTo(new TopicLogView(topic, new TopicLogView.Decoded()).read(0, from, max));
            }
        }
        assertThat(new TopicLogView(topic, decoded).readRuns(0, total + 5, 10)).isEmpty();
        assertThat(new TopicLogView(topic, decoded).readRuns(0, 0, 0)).isEmpty();
        RecordSlice whole = new TopicLogView(topic, decoded).readRuns(0, 3, 5).get(0).records();
        assertThat(whole.count()).as("batch 3..7 as one slice").isEqualTo(5);
        assertThat(values(new TopicLogView(topic, decoded).read(0, 3, 5))).isEqualTo(range(3, 5));
    }

    private static int batchOf(List<Long> starts, long offset) {
        int b = 0;
        while (b + 1 < starts.size() && starts.get(b + 1) <= offset) {
            b++;
        }
        return b;
    }
}
