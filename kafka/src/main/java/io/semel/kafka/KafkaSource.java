package io.semel.kafka;

import io.semel.kafka.internal.PartitionClaims;
import io.semel.processor.Source;
import io.semel.processor.SourceException;
import io.semel.processor.SourceMessage;
import io.semel.processor.store.JdbcStore;
import io.semel.processor.store.StoreException;
import io.semel.processor.store.StoreLock;
import io.semel.protocol.Header;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka → the processor's store, exactly once: a consumer-group member whose position lives only in
 * the store's position row, committed with the handler's effects and the inbox record.
 *
 * <p>On every partition assignment the source claims the partition in one short store transaction
 * ({@link io.semel.processor.store.StoreTransaction#claimPosition}: lock the row, raise its lease
 * epoch, read the next offset) and seeks there. Every message carries that DB-issued epoch, so a
 * member that lost the partition without noticing (stalled past {@code max.poll.interval.ms}) is
 * fenced by the processor's conditional position update. See {@code docs/kafka.md}.
 *
 * <p>{@link #ordered()}: the processor never moves a partition's position past a failed message; a
 * nack seeks back to it and pauses the partition (backoff), and after {@code maxDeliveries} the
 * processor dead-letters it through the outbox. Delivery counts are kept in memory: a restart grants
 * up to {@code maxDeliveries} more attempts.
 *
 * <p>Not thread-safe: one poll thread (the processor's) calls everything; {@link #close()} once that
 * thread stopped polling (the processor does this). Kafka's rebalance callbacks run inside poll.
 */
public final class KafkaSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);
    private static final long CLAIM_RETRY_MS_MAX = 5_000;
    /** The store lock a Kafka source holds on a SQLite store (a file lock beside the database). */
    static final String SQLITE_LOCK_NAME = "kafka-source";

    private final KafkaSourceBuilder cfg;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PartitionClaims claims = new PartitionClaims();
    private final Map<TopicPartition, NavigableMap<Long, Integer>> nacks = new HashMap<>();
    private final Map<TopicPartition, Long> pausedUntilMs = new HashMap<>();
    private StoreLock sqliteLock;
    private long claimRetryMs;
    private long nextClaimAtMs;

    KafkaSource(KafkaSourceBuilder cfg) {
        this.cfg = cfg;
        this.consumer = new KafkaConsumer<>(cfg.consumerConfig());
    }

    /** A source for {@code topic} in consumer group {@code group}; see {@link KafkaSourceBuilder} for the settings. */
    public static KafkaSourceBuilder builder(String bootstrapServers, String group, String topic) {
        return new KafkaSourceBuilder(bootstrapServers, group, topic);
    }

    @Override
    public void bind(String consumerName, JdbcStore store) {
        if (claims.bound()) {
            throw new IllegalStateException("KafkaSource for group " + cfg.group + " is already bound to a processor");
        }
        Optional<java.nio.file.Path> sqlite = store.sqliteFile();
        if (sqlite.isPresent()) {
            // A group moves partitions between members, and every member must read the positions the
            // others committed: a SQLite file is local to one machine, so a second member is refused.
            sqliteLock = store.tryLockExclusive(SQLITE_LOCK_NAME).orElseThrow(() -> new IllegalStateException(
                    "SQLite store " + sqlite.get() + " is already used by a Kafka source (another one, in this "
                    + "process or another, holds its store lock '" + SQLITE_LOCK_NAME + "'). A Kafka consumer group "
                    + "moves partitions between members, and every member must read the positions the others "
                    + "committed: SQLite serves one instance only. Run one processor for group " + cfg.group
                    + " on this file, or put the processors of the group on one PostgreSQL store"));
        }
        claims.bind(consumerName, store);
        consumer.subscribe(List.of(cfg.topic), new Rebalance());
    }

    @Override
    public boolean ordered() {
        return true;
    }

    /** True: a Kafka record keeps its offset on every fetch, and claims carry the store-issued epoch. */
    @Override
    public boolean sequenced() {
        return true;
    }

    /**
     * False: the processor calls this source from its poll thread, strictly poll, transaction, ack.
     * {@code KafkaConsumer} already fetches ahead on its own network thread, and its rebalance callbacks
     * run this source's claim transactions inside {@code poll}; keeping them on the poll thread keeps the
     * threading documented in CONCURRENCY.md (a poll ahead also changed when a fenced static member
     * rejoins, and a consumer closed after that hung in Kafka's heartbeat-thread join in a test run).
     */
    @Override
    public boolean allowsPrefetch() {
        return false;
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        if (!claims.bound()) {
            throw new IllegalStateException("KafkaSource.poll before bind: hand the source to an ExactlyOnceProcessor, "
                    + "which binds it to its store before polling");
        }
        resumeDue();
        ConsumerRecords<byte[], byte[]> records = pollKafka(timeout);
        List<TopicPartition> reclaimed = claimPending();
        List<SourceMessage> out = new ArrayList<>(records.count());
        for (TopicPartition tp : records.partitions()) {
            Optional<PartitionClaims.Held> h = claims.get(tp);
            // Records of a partition that is not OWNED, or was just (re)claimed and seeked, come again.
            if (h.isEmpty() || h.get().state() != PartitionClaims.State.OWNED || reclaimed.contains(tp)) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            NavigableMap<Long, Integer> counts = nacks.get(tp);
            if (counts != null) {
                counts.headMap(rs.get(0).offset(), false).clear(); // settled: the fetch starts past them
            }
            for (ConsumerRecord<byte[], byte[]> r : rs) {
                int nacked = counts == null ? 0 : counts.getOrDefault(r.offset(), 0);
                out.add(SourceMessage.of(r.topic(), r.partition(), r.offset(), 1 + nacked, h.get().epoch(), r.key(),
                        r.value(), headers(r), r.timestamp()));
            }
        }
        return out;
    }

    private ConsumerRecords<byte[], byte[]> pollKafka(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (LogTruncationException e) {
            throw new SourceException(io.semel.kafka.internal.PositionErrors.truncated(e.divergentOffsets().keySet(),
                    claims.consumer()), false, e);
        } catch (OffsetOutOfRangeException e) {
            Map<TopicPartition, Long> at = e.offsetOutOfRangePartitions();
            throw new SourceException(io.semel.kafka.internal.PositionErrors.outOfRange(at,
                    consumer.beginningOffsets(at.keySet()), consumer.endOffsets(at.keySet()), claims.consumer()), false, e);
        } catch (org.apache.kafka.common.errors.FencedInstanceIdException e) {
            throw new SourceException("another member joined group " + cfg.group + " with this member's "
                    + "group.instance.id, so Kafka fenced this one for good (its uncommitted work is fenced in the "
                    + "store by the newer claim too). Give every instance its own group.instance.id", false, e);
        } catch (WakeupException e) {
            throw new SourceException("Kafka poll woken up: " + e, true, e);
        } catch (KafkaException e) {
            if (e.getCause() instanceof StoreException se) {
                throw se; // a claim inside a rebalance callback: the processor backs off and polls again
            }
            throw new SourceException("Kafka poll failed: " + e, true, e);
        }
    }

    /** Claims every PENDING or FENCED partition still assigned; returns those claimed and seeked now. */
    private List<TopicPartition> claimPending() {
        List<TopicPartition> todo = claims.claimable();
        if (todo.isEmpty() || cfg.clock.millis() < nextClaimAtMs) {
            return List.of();
        }
        List<TopicPartition> done = new ArrayList<>(todo.size());
        Map<TopicPartition, Long> initial = initialOffsets(todo);
        for (TopicPartition tp : todo) {
            try {
                long next = claims.claim(tp, initial.get(tp));
                cfg.crash.reached(io.semel.processor.CrashPoints.KAFKA_AFTER_CLAIM_BEFORE_SEEK);
                consumer.seek(tp, next);
                nacks.remove(tp);
                consumer.resume(List.of(tp));
                done.add(tp);
                LOG.info("group {}: claimed {} at offset {} under epoch {}", cfg.group, tp, next,
                        claims.get(tp).map(PartitionClaims.Held::epoch).orElse(-1L));
            } catch (StoreException e) {
                claimRetryMs = Math.min(CLAIM_RETRY_MS_MAX, Math.max(100, claimRetryMs * 2));
                nextClaimAtMs = cfg.clock.millis() + claimRetryMs;
                LOG.warn("group {}: claiming {} failed ({}); the partition stays paused, retrying in {} ms", cfg.group,
                        tp, e.getMessage(), claimRetryMs);
                return done;
            }
        }
        claimRetryMs = 0;
        return done;
    }

    private Map<TopicPartition, Long> initialOffsets(Collection<TopicPartition> tps) {
        return cfg.initialPosition == KafkaSourceBuilder.InitialPosition.EARLIEST ? consumer.beginningOffsets(tps)
                : consumer.endOffsets(tps);
    }

    @Override
    public int ack(List<SourceMessage> messages) {
        // The position committed with the effects is the only acknowledgement Kafka needs.
        for (SourceMessage m : messages) {
            NavigableMap<Long, Integer> counts = nacks.get(new TopicPartition(m.topic(), m.partition()));
            if (counts != null) {
                counts.remove(m.offset());
            }
        }
        return messages.size();
    }

    @Override
    public void nack(SourceMessage m, String errorText) {
        TopicPartition tp = new TopicPartition(m.topic(), m.partition());
        Optional<PartitionClaims.Held> h = claims.get(tp);
        if (h.isEmpty() || h.get().state() != PartitionClaims.State.OWNED || h.get().epoch() != m.leaseEpoch()) {
            return; // no longer ours under that claim: the next claim seeks to the stored position
        }
        int n = nacks.computeIfAbsent(tp, k -> new TreeMap<>()).merge(m.offset(), 1, Integer::sum);
        consumer.seek(tp, m.offset());
        consumer.pause(List.of(tp));
        long backoff = Math.min(cfg.nackBackoffMaxMs, cfg.nackBackoffMs << Math.min(20, n - 1));
        pausedUntilMs.put(tp, cfg.clock.millis() + backoff);
    }

    private void resumeDue() {
        long now = cfg.clock.millis();
        pausedUntilMs.entrySet().removeIf(e -> {
            if (e.getValue() > now) {
                return false;
            }
            Optional<PartitionClaims.Held> h = claims.get(e.getKey());
            if (h.isPresent() && h.get().state() == PartitionClaims.State.OWNED) {
                consumer.resume(List.of(e.getKey()));
            }
            return true;
        });
    }

    @Override
    public void onFenced(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        if (claims.fenced(tp)) {
            consumer.pause(List.of(tp));
            LOG.warn("group {}: {} was claimed by a newer holder; paused. If Kafka still assigns it to this member "
                    + "after the next poll, it is claimed again", cfg.group, tp);
        }
    }

    @Override
    public long redeliveryHorizonMs() {
        // Kafka redelivers after a nack (bounded backoffs) or while a stalled member and the new owner
        // overlap (bounded by the poll interval plus the session timeout).
        return Math.addExact(Math.addExact(cfg.maxPollIntervalMs, cfg.sessionTimeoutMs),
                Math.multiplyExact(cfg.maxDeliveries, cfg.nackBackoffMaxMs));
    }

    @Override
    public boolean isLastDelivery(SourceMessage message) {
        return message.deliveryCount() >= cfg.maxDeliveries;
    }

    @Override
    public void close() {
        try {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
        } finally {
            if (sqliteLock != null) {
                sqliteLock.close();
            }
        }
    }

    private static List<Header> headers(ConsumerRecord<byte[], byte[]> r) {
        List<Header> out = new ArrayList<>();
        for (org.apache.kafka.common.header.Header h : r.headers()) {
            out.add(new Header(h.key(), h.value()));
        }
        return out;
    }

    /** Runs inside {@code consumer.poll} on the poll thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Paused with a placeholder position until the claim commits: never fetch unclaimed.
            consumer.pause(partitions);
            for (TopicPartition tp : partitions) {
                claims.assigned(tp);
                consumer.seek(tp, 0);
            }
            nextClaimAtMs = 0;
            claimPending();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                claims.removed(tp);
                nacks.remove(tp);
                pausedUntilMs.remove(tp);
            }
        }
    }
}
