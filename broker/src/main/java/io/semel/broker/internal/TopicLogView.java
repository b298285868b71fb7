package io.semel.broker.internal;

import io.semel.broker.group.LogView;
import io.semel.broker.group.Message;
import io.semel.broker.group.MessageRun;
import io.semel.log.LogReader;
import io.semel.log.OffsetOutOfRangeException;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LogView} over a topic's partitions, reading their durable data directly through each
 * partition's {@link LogReader} (positional reads of flushed segments, no round trip through the
 * partition's writer, no waiting on another thread).
 *
 * <p>Only durable data is visible: reads and the log end are capped at the partition's published
 * durable end. A poll reads only the batches that hold the messages it hands out, and each batch
 * is read (and checksummed) once: the last batch read is kept per partition ({@link Decoded})
 * because the next poll usually starts inside it.
 *
 * <p>Never throws: {@link io.semel.broker.group.GroupState#poll} mutates state as it reads, so a
 * read failure halfway would leave state that no persisted record describes. A failed read is
 * logged and answers "nothing there" (no messages); the poll simply delivers less.
 *
 * <p>Not thread-safe; used on the coordinator thread only (which owns the {@link Decoded} cache).
 */
final class TopicLogView implements LogView {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLogView.class);
    /** Batch bytes one read may take beyond its first batch (which is always taken whole). */
    static final int READ_BYTES_MAX = 1024 * 1024;

    /** What {@link #readOne} found. */
    enum Found { PRESENT, GONE, FAILED }

    record One(Found found, Message message) {
    }

    /**
     * The last batch read per partition, keyed by the partition's
     * {@link LogReader} (a deleted and re-created topic has new readers, so nothing stale is
     * served). Durable batches never change, so an entry never needs invalidating. Bounded:
     * least recently used entries go beyond {@link #PARTITIONS_MAX}. Coordinator thread only.
     */
    static final class Decoded {
        /** Partitions whose last batch is kept. */
        static final int PARTITIONS_MAX = 1024;

        /**
         * The last batch read, per partition reader. A poll cuts the records it takes from the
         * batch's bytes (POLL v4 sends them as they are); taking the whole batch needs no walk.
         */
        private final Map<LogReader, RecordBatch> last = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<LogReader, RecordBatch> eldest) {
                return size() > PARTITIONS_MAX;
            }
        };
        private long batchesDecoded;

        /** Batches decoded since start: for tests. */
        long batchesDecoded() {
            return batchesDecoded;
        }
    }

    private final Topic topic;
    private final Decoded decoded;

    TopicLogView(Topic topic, Decoded decoded) {
        this.topic = topic;
        this.decoded = decoded;
    }

    @Override
    public long logEndOffset(int partition) {
        return durableEnd(topic, partition);
    }

    /** The partition's published durable end; 0 when the topic (null) or the partition is gone. */
    static long durableEnd(Topic topic, int partition) {
        LogReader reader = topic == null ? null : topic.reader(partition);
        return reader == null ? 0 : reader.durableEnd();
    }

    @Override
    public List<Message> read(int partition, long fromOffset, int maxMessages) {
        List<MessageRun> runs = readRuns(partition, fromOffset, maxMessages);
        List<Message> out = new ArrayList<>();
        for (MessageRun run : runs) {
            out.addAll(run.messages());
        }
        return out;
    }

    @Override
    public List<MessageRun> readRuns(int partition, long fromOffset, int maxMessages) {
        LogReader reader = topic.reader(partition);
        if (reader == null || maxMessages < 1) {
            return List.of();
        }
        if (!reader.isOpen()) {
            // After a storage failure the writer reopens the partition on its next request: ask for one
            // (non-blocking; the result does not matter). This poll delivers nothing from it.
            topic.partition(partition).call(p -> null);
            return List.of();
        }
        Runs out = new Runs(maxMessages);
        try {
            readInto(reader, fromOffset, out);
        } catch (OffsetOutOfRangeException e) {
            // removed by retention: nothing there (what was read before it stays valid)
        } catch (IOException | RuntimeException e) {
            LOG.warn("group read of {}-{} from offset {} failed; delivering {} messages from it now: {}",
                    topic.name(), partition, fromOffset, out.messages, e.toString());
        }
        return out.runs;
    }

    /** Runs read so far, and how many messages they hold, up to {@code max}. */
    private static final class Runs {
        final List<MessageRun> runs = new ArrayList<>(4);
        final int max;
        int messages;

        Runs(int max) {
            this.max = max;
        }

        boolean full() {
            return messages >= max;
        }
    }

    /** One message, or GONE when retention removed it, or FAILED when the read did not work. */
    One readOne(int partition, long offset) {
        LogReader reader = topic.reader(partition);
        if (reader != null && offset < reader.startOffset()) {
            return new One(Found.GONE, null);
        }
        List<Message> m = read(partition, offset, 1);
        if (m.isEmpty() && reader != null && offset < reader.startOffset()) {
            return new One(Found.GONE, null);
        }
        return m.isEmpty() ? new One(Found.FAILED, null) : new One(Found.PRESENT, m.get(0));
    }

    /** Messages from {@code from}, below the durable end, dense; from the kept batch where it can. */
    private void readInto(LogReader reader, long from, Runs out) throws IOException {
        long end = reader.durableEnd();
        long next = from;
        RecordBatch kept = decoded.last.get(reader);
        if (kept != null && next >= kept.baseOffset() && next < kept.nextOffset()) {
            next = take(kept, next, end, out);
        }
        while (!out.full() && next < end) {
            List<RecordBatch> batches = reader.read(next, READ_BYTES_MAX, out.max - out.messages);
            if (batches.isEmpty()) {
                return;
            }
            long before = next;
            for (RecordBatch b : batches) {
                decoded.batchesDecoded++;
                decoded.last.put(reader, b);
                next = take(b, next, end, out);
            }
            if (next == before) {
                return; // the log returned nothing at or after next: do not spin
            }
        }
    }

    /**
     * Adds the batch's messages from {@code next} on (below {@code end}, up to the budget) as one
     * run; the new next. Nothing when {@code next} is not inside the batch.
     */
    private static long take(RecordBatch b, long next, long end, Runs out) {
        if (out.full() || next >= end || next < b.baseOffset() || next >= b.nextOffset()) {
            return next;
        }
        long to = Math.min(Math.min(end, b.nextOffset()), next + (out.max - out.messages));
        int from = (int) (next - b.baseOffset());
        int count = (int) (to - next);
        out.runs.add(new MessageRun(next, b.firstTimestampMs(), b.records(from, from + count)));
        out.messages += count;
        return to;
    }
}
