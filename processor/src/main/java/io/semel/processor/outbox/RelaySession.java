package io.semel.processor.outbox;

import io.semel.processor.CrashPoints;
import io.semel.client.Producer;
import io.semel.client.SemelException;
import io.semel.client.SendResult;
import io.semel.processor.outbox.Assigner.TopicPartitionKey;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.OutboxAssignment;
import io.semel.processor.store.OutboxRow;
import io.semel.processor.store.RelayProducer;
import io.semel.processor.store.RelaySequence;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One producer instance's life in the relay: created after INIT_PRODUCER-worthy events (start, any
 * send failure), thrown away on the first error. Each new session reconciles every topic it meets
 * with the broker before sending, so a resend never straddles what the broker already has.
 * Not thread-safe: the relay thread owns it.
 */
final class RelaySession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelaySession.class);

    private final JdbcStore store;
    private final Producer producer;
    private final String relayName;
    private final int batchMax;
    private final long sendTimeoutMs;
    private final Clock clock;
    private final CrashPoints.Hook crash;
    private final RelayStats stats;
    private final Assigner assigner;
    /** Counters as stored at session start: owner and highest sent sequence, for reconciliation. */
    private final Map<TopicPartitionKey, RelaySequence> stored = new HashMap<>();
    /** Broker's next sequence per partition as INIT_PRODUCER reported it this session. */
    private final Map<TopicPartitionKey, Long> brokerNext = new HashMap<>();
    /** Partitions sent on in this session (their first send was checked against brokerNext). */
    private final Set<TopicPartitionKey> sentThisSession = new HashSet<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();

    RelaySession(JdbcStore store, Producer producer, String relayName, int batchMax, long sendTimeoutMs, Clock clock,
            CrashPoints.Hook crash, RelayStats stats) {
        this.store = store;
        this.producer = producer;
        this.relayName = relayName;
        this.batchMax = batchMax;
        this.sendTimeoutMs = sendTimeoutMs;
        this.clock = clock;
        this.crash = crash;
        this.stats = stats;
        Map<TopicPartitionKey, Long> next = new HashMap<>();
        for (RelaySequence s : store.relaySequences()) {
            TopicPartitionKey tp = new TopicPartitionKey(s.topic(), s.partition());
            if (!s.relayName().equals(relayName)) {
                throw new RelayDivergedException("relay '" + relayName + "' found " + tp + " sequences owned by relay '"
                        + s.relayName() + "'; a store serves one relay name. Use '" + s.relayName() + "', or "
                        + "move its rows (semel_relay_sequence) deliberately");
            }
            stored.put(tp, s);
            next.put(tp, s.nextSequence());
        }
        this.assigner = new Assigner(next);
    }

    /**
     * One pass: the oldest unsent rows (at most batchMax) are assigned if needed (committed before
     * anything is sent), sent, confirmed, and marked sent. Returns how many rows were marked sent.
     */
    int runOnce() {
        List<OutboxRow> rows = store.pendingOutbox(0, batchMax);
        if (rows.isEmpty()) {
            return 0;
        }
        for (OutboxRow r : rows) {
            try {
                reconcile(r.message().topic());
            } catch (SemelException e) {
                throw rowFailure(r, e);
            }
        }
        List<OutboxAssignment> fresh = assigner.assign(rows, partitionCounts::get);
        if (!fresh.isEmpty()) {
            // Commit point 1: the assignment is durable before any of these rows can reach the broker.
            store.assignOutbox(relayName, fresh);
            assigner.committed(fresh);
            stats.assigned.addAndGet(fresh.size());
            crash.reached(OutboxRelay.CRASH_AFTER_ASSIGN_BEFORE_SEND);
        }
        Map<Long, OutboxAssignment> byId = new HashMap<>();
        fresh.forEach(a -> byId.put(a.id(), a));
        Map<OutboxRow, CompletableFuture<SendResult>> futures = new java.util.LinkedHashMap<>();
        List<Long> ids = new ArrayList<>();
        for (OutboxRow r : rows) {
            OutboxAssignment a = r.assignment().orElseGet(() -> byId.get(r.id()));
            ids.add(r.id());
            CompletableFuture<SendResult> f = send(r, a);
            if (f != null) {
                futures.put(r, f);
            }
        }
        awaitAll(futures);
        crash.reached(OutboxRelay.CRASH_AFTER_SEND_BEFORE_MARK_SENT);
        // Commit point 2: only rows the broker confirmed (or already held) are marked sent.
        int marked = store.markSent(ids, clock.millis());
        stats.sent.addAndGet(marked);
        store.saveProducer(new RelayProducer(relayName, producer.producerId(), producer.producerEpoch(),
                ids.get(ids.size() - 1) + 1));
        return ids.size();
    }

    /** Sends one assigned row, or returns null when the broker already holds its sequence. */
    private CompletableFuture<SendResult> send(OutboxRow r, OutboxAssignment a) {
        TopicPartitionKey tp = new TopicPartitionKey(a.topic(), a.partition());
        long brokerHas = brokerNext.get(tp);
        if (a.sequence() < brokerHas) {
            // Sent by an earlier session that died before markSent: persisted, confirmed by INIT_PRODUCER.
            stats.alreadyInLog.incrementAndGet();
            return null;
        }
        if (sentThisSession.add(tp) && a.sequence() != brokerHas) {
            throw new RelayDivergedException("relay '" + relayName + "': the first unsent row of " + tp + " (row "
                    + r.id() + ") has sequence " + a.sequence() + " but the broker's next sequence is " + brokerHas
                    + ": sequences " + brokerHas + ".." + (a.sequence() - 1) + " were marked sent in the store but the "
                    + "broker does not hold them (broker data lost?); refusing to send");
        }
        return producer.sendWithSequence(a.topic(), a.partition(), a.sequence(), r.message().key(),
                r.message().value(), withMessageId(r));
    }

    private static List<Header> withMessageId(OutboxRow r) {
        List<Header> headers = r.message().headers();
        for (Header h : headers) {
            if (h.key().equals(OutboxRelay.MESSAGE_ID_HEADER)) {
                return headers;
            }
        }
        List<Header> out = new ArrayList<>(headers.size() + 1);
        out.addAll(headers);
        out.add(new Header(OutboxRelay.MESSAGE_ID_HEADER, r.message().messageId().getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    /**
     * Waits for every send, in row order. The first failure ends the pass: a row-specific refusal
     * ({@link RelayRowException#ROW_CODES}) names its row; anything else is a plain send failure.
     * Rows after a refused one on its partition fail as out of order: they are not to blame, and
     * the refused row comes first.
     */
    private void awaitAll(Map<OutboxRow, CompletableFuture<SendResult>> futures) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sendTimeoutMs);
        for (Map.Entry<OutboxRow, CompletableFuture<SendResult>> e0 : futures.entrySet()) {
            CompletableFuture<SendResult> f = e0.getValue();
            try {
                SendResult res = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (res.duplicate()) {
                    stats.duplicates.incrementAndGet();
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SemelException se) {
                    throw rowFailure(e0.getKey(), se);
                }
                throw new RelaySendException("relay '" + relayName + "': a send failed: " + e.getCause().getMessage(),
                        e.getCause());
            } catch (TimeoutException e) {
                throw new RelaySendException("relay '" + relayName + "': sends not confirmed within sendTimeoutMs "
                        + sendTimeoutMs, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RelaySendException("relay '" + relayName + "' interrupted while awaiting sends", e);
            }
        }
    }

    /** A {@link RelayRowException} when {@code e} is the row's own fault, else a plain send failure. */
    private RelaySendException rowFailure(OutboxRow r, SemelException e) {
        if (!e.retriable() && RelayRowException.ROW_CODES.contains(e.errorCode())) {
            return new RelayRowException(r, e.errorCode(), "relay '" + relayName + "': outbox row " + r.id() + " to "
                    + r.message().topic() + " refused: " + e.getMessage(), e);
        }
        return new RelaySendException("relay '" + relayName + "': a send failed: " + e.getMessage(), e);
    }

    /**
     * First time this session meets {@code topic}: compares, per partition, the broker's next
     * sequence B (INIT_PRODUCER) with the store's next sequence N and highest sent sequence H.
     * Expected: H < B <= N. B > N: the broker holds sequences the store never assigned. B <= H: the
     * broker lacks sequences it confirmed. Both stop the relay. Rows with sequence < B are in the log.
     */
    private void reconcile(String topic) {
        if (partitionCounts.containsKey(topic)) {
            return;
        }
        int n = producer.partitionCount(topic);
        for (int p = 0; p < n; p++) {
            TopicPartitionKey tp = new TopicPartitionKey(topic, p);
            long b = producer.nextSequence(topic, p);
            long storeNext = assigner.next(tp);
            RelaySequence s = stored.get(tp);
            long highestSent = s == null ? -1 : s.highestSentSequence();
            if (b > storeNext) {
                throw new RelayDivergedException("relay '" + relayName + "' on " + tp + ": the broker has persisted "
                        + "sequences up to " + (b - 1) + " but the store has assigned only up to " + (storeNext - 1)
                        + " (next " + storeNext + "). The store lost outbox rows (restored from an older backup?) or "
                        + "another store's relay uses the name '" + relayName + "'. Refusing to send: new rows would "
                        + "get sequences the broker treats as duplicates and drops");
            }
            if (b <= highestSent) {
                throw new RelayDivergedException("relay '" + relayName + "' on " + tp + ": the store has rows marked "
                        + "sent up to sequence " + highestSent + " but the broker's next sequence is " + b + " (it "
                        + "lost confirmed data or its producer state). Refusing to send");
            }
            brokerNext.put(tp, b);
            if (b < storeNext) {
                log.info("relay '{}' on {}: broker next sequence {}, store next {}: resending {} assigned row(s)",
                        relayName, tp, b, storeNext, storeNext - b);
            }
        }
        partitionCounts.put(topic, n);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
