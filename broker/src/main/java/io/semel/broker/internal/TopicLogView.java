package io.semel.broker.internal;

import io.semel.broker.group.LogView;
import io.semel.broker.group.Message;
import io.semel.log.GroupCommitLog;
import io.semel.log.Partition;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LogView} over a topic's partitions: every call runs a read on the partition's writer
 * thread ({@link GroupCommitLog#call}) and <b>blocks the calling thread</b> until it is answered —
 * acceptable on the group coordinator thread, which is not an event loop, and never allowed on one.
 *
 * <p>Only durable data is visible: reads and the log end are capped at the partition's
 * {@code flushedOffset}. Nothing is cached, so a view cannot go stale; one is made per command.
 *
 * <p>Never throws: {@link io.semel.broker.group.GroupState#poll} mutates state as it reads, so a
 * read failure halfway would leave state that no persisted record describes. A failed read is
 * logged and answers "nothing there" (log end 0, no messages); the poll simply delivers less.
 *
 * <p>Not thread-safe; used on the coordinator thread only.
 */
final class TopicLogView implements LogView {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLogView.class);
    /** Longest a coordinator read may block; a slower writer means a failed, empty read. */
    static final long READ_TIMEOUT_MS = 10_000;
    /** Batch bytes read per call; one batch is always returned even if larger. */
    static final int READ_BYTES_MAX = 1024 * 1024;

    /** What {@link #readOne} found. */
    enum Found { PRESENT, GONE, FAILED }

    record One(Found found, Message message) {
    }

    private final Topic topic;

    TopicLogView(Topic topic) {
        this.topic = topic;
    }

    @Override
    public long logEndOffset(int partition) {
        Long end = await(topic.partition(partition).call(Partition::flushedOffset), partition);
        return end == null ? 0 : end;
    }

    @Override
    public List<Message> read(int partition, long fromOffset, int maxMessages) {
        List<Message> read = await(topic.partition(partition).call(p -> durable(p, fromOffset, maxMessages)), partition);
        return read == null ? List.of() : read;
    }

    /** One message, or GONE when retention removed it, or FAILED when the read did not work. */
    One readOne(int partition, long offset) {
        One one = await(topic.partition(partition).call(p -> {
            if (offset < p.startOffset()) {
                return new One(Found.GONE, null);
            }
            List<Message> m = durable(p, offset, 1);
            return m.isEmpty() ? new One(Found.FAILED, null) : new One(Found.PRESENT, m.get(0));
        }), partition);
        return one == null ? new One(Found.FAILED, null) : one;
    }

    /** Runs on the partition writer: messages from {@code from}, below the flushed offset, dense. */
    private static List<Message> durable(Partition p, long from, int maxMessages) throws IOException {
        long flushed = p.flushedOffset();
        if (from < p.startOffset() || from >= flushed) {
            return List.of();
        }
        List<Message> out = new ArrayList<>();
        long next = from;
        while (out.size() < maxMessages && next < flushed) {
            long before = next;
            List<RecordBatch> batches = p.read(next, READ_BYTES_MAX);
            if (batches.isEmpty()) {
                break;
            }
            for (RecordBatch b : batches) {
                long offset = b.baseOffset();
                for (LogRecord r : b.records()) {
                    if (offset >= next && offset < flushed && out.size() < maxMessages) {
                        out.add(new Message(offset, b.firstTimestampMs(), r.key(), r.value(), r.headers()));
                        next = offset + 1;
                    }
                    offset++;
                }
            }
            if (next == before) {
                break; // the log returned nothing at or after next: do not spin
            }
        }
        return out;
    }

    private <T> T await(CompletableFuture<T> f, int partition) {
        try {
            return f.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("group read of {}-{} failed; delivering nothing from it now: {}", topic.name(), partition,
                    e.getCause() == null ? e.toString() : e.getCause().toString());
            return null;
        }
    }
}
