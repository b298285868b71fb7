package io.semel.processor.internal;

import io.semel.processor.Handler;
import io.semel.processor.ProcessorMessage;
import io.semel.processor.ProcessorTransaction;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.HandlerException;
import io.semel.processor.store.PositionUpdate;
import io.semel.processor.store.StoreTransaction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Steps shared by both modes' receive transactions. Stateless. */
final class Batches {
    /** Nack error texts are cut to this many UTF-8 bytes (the broker's nackErrorBytesMax default is 1,024). */
    static final int ERROR_TEXT_BYTES_MAX = 900;

    private Batches() {
    }

    /** A partition of one topic, ordered so every transaction locks position rows in the same order. */
    record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
        @Override
        public int compareTo(TopicPartition o) {
            int c = topic.compareTo(o.topic);
            return c != 0 ? c : Integer.compare(partition, o.partition);
        }
    }

    /** Per partition of the batch: the next offset after its highest message and its lowest lease epoch. */
    record Advance(long nextOffset, long leaseEpoch) {
    }

    static Map<TopicPartition, Advance> advances(List<SourceMessage> batch) {
        Map<TopicPartition, Advance> out = new TreeMap<>();
        // Messages come in runs of one partition: one key and one merge per run, not per message.
        TopicPartition tp = null;
        long next = 0;
        long epoch = 0;
        for (SourceMessage m : batch) {
            if (tp != null && m.partition() == tp.partition() && m.topic().equals(tp.topic())) {
                next = Math.max(next, m.offset() + 1);
                // The lowest epoch of the partition in the batch: if any delivery is stale, treat it as fenced.
                epoch = Math.min(epoch, m.leaseEpoch());
                continue;
            }
            if (tp != null) {
                merge(out, tp, next, epoch);
            }
            tp = new TopicPartition(m.topic(), m.partition());
            next = m.offset() + 1;
            epoch = m.leaseEpoch();
        }
        if (tp != null) {
            merge(out, tp, next, epoch);
        }
        return out;
    }

    private static void merge(Map<TopicPartition, Advance> out, TopicPartition tp, long next, long epoch) {
        out.merge(tp, new Advance(next, epoch), (a, b) -> new Advance(Math.max(a.nextOffset(), b.nextOffset()),
                Math.min(a.leaseEpoch(), b.leaseEpoch())));
    }

    /** Per partition of the batch, the offsets of its messages (in batch order, duplicates kept). */
    static Map<TopicPartition, long[]> offsets(List<SourceMessage> batch) {
        Map<TopicPartition, OffsetList> lists = new java.util.HashMap<>();
        OffsetList into = null;
        TopicPartition tp = null;
        for (SourceMessage m : batch) {
            // Messages come in runs of one partition: one lookup per run, not per message.
            if (tp == null || m.partition() != tp.partition() || !m.topic().equals(tp.topic())) {
                tp = new TopicPartition(m.topic(), m.partition());
                into = lists.computeIfAbsent(tp, k -> new OffsetList());
            }
            into.add(m.offset());
        }
        Map<TopicPartition, long[]> out = new java.util.HashMap<>();
        lists.forEach((k, v) -> out.put(k, java.util.Arrays.copyOf(v.offsets, v.size)));
        return out;
    }

    /** A growing array of offsets. */
    private static final class OffsetList {
        long[] offsets = new long[64];
        int size;

        void add(long offset) {
            if (size == offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, size * 2);
            }
            offsets[size++] = offset;
        }
    }

    /**
     * Moves every partition's position first (position rows are the first locks a transaction takes,
     * in partition order, so two members' transactions cannot deadlock on them). Returns the first
     * fenced partition, or null. NOT_FORWARD is fine: with per-message acks an older offset arrives
     * after a later one was applied; the inbox, not the position, decides duplicates.
     */
    static TopicPartition advancePositions(StoreTransaction tx, String consumer, Map<TopicPartition, Advance> advances)
            throws SQLException {
        for (Map.Entry<TopicPartition, Advance> e : advances.entrySet()) {
            TopicPartition tp = e.getKey();
            PositionUpdate u = tx.advancePosition(consumer, tp.topic(), tp.partition(), e.getValue().nextOffset(),
                    e.getValue().leaseEpoch());
            if (u == PositionUpdate.FENCED) {
                return tp;
            }
        }
        return null;
    }

    static List<SourceMessage> without(List<SourceMessage> batch, TopicPartition tp) {
        List<SourceMessage> out = new ArrayList<>(batch.size());
        for (SourceMessage m : batch) {
            if (!(m.topic().equals(tp.topic()) && m.partition() == tp.partition())) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Runs the handler, turning every failure into {@link HandlerException} (rolled back, never
     * retried by the store) except PostgreSQL serialization failures and deadlocks from the handler's
     * own SQL, which are rethrown so the store re-runs the whole transaction.
     */
    static void runHandler(Handler handler, ProcessorMessage pm, TxSender sender) throws SQLException,
            HandlerException {
        try {
            handler.handle(pm, sender);
        } catch (SQLException e) {
            if (e.getSQLState() != null && (e.getSQLState().equals("40001") || e.getSQLState().equals("40P01"))) {
                throw e;
            }
            throw new HandlerException(failureText(pm.messageId(), e), e);
        } catch (HandlerException e) {
            throw new HandlerException(failureText(pm.messageId(), e.getCause() != null ? e.getCause() : e), e);
        } catch (RuntimeException e) {
            throw new HandlerException(failureText(pm.messageId(), e), e);
        }
    }

    /**
     * Runs the rows handlers added to {@link ProcessorTransaction#batch} statements. A failure cannot be
     * pinned on one message: it is a {@link HandlerException} for the whole batch, which the pipeline
     * then re-runs one message per transaction (PostgreSQL serialization failures and deadlocks are
     * rethrown for the store to retry, as from a handler).
     */
    static void executeHandlerBatches(StoreTransaction tx, List<SourceMessage> batch) throws SQLException,
            HandlerException {
        try {
            tx.executeBatches();
        } catch (SQLException e) {
            if (e.getSQLState() != null && (e.getSQLState().equals("40001") || e.getSQLState().equals("40P01"))) {
                throw e;
            }
            String first = batch.isEmpty() ? "an empty batch" : batch.get(0).messageId();
            throw new HandlerException(truncateUtf8("batch statements of the handlers failed for the " + batch.size()
                    + " message(s) from " + first + ": " + e, ERROR_TEXT_BYTES_MAX), e);
        } catch (RuntimeException e) {
            throw new HandlerException(truncateUtf8("batch statements of the handlers failed: " + e, ERROR_TEXT_BYTES_MAX),
                    e);
        }
    }

    static String failureText(String messageId, Throwable e) {
        String text = "handler failed on " + messageId + ": " + e;
        return truncateUtf8(text, ERROR_TEXT_BYTES_MAX);
    }

    static String truncateUtf8(String s, int bytesMax) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= bytesMax) {
            return s;
        }
        int end = Math.min(s.length(), bytesMax);
        while (end > 0 && s.substring(0, end).getBytes(StandardCharsets.UTF_8).length > bytesMax - 3) {
            end--;
        }
        return s.substring(0, end) + "...";
    }
}
