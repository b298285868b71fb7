package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.Message;
import io.semel.log.FileStorage;
import io.semel.log.FlushPolicy;
import io.semel.log.GroupCommitLog;
import io.semel.log.LogConfig;
import io.semel.log.LogReader;
import io.semel.log.Partition;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
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
}
