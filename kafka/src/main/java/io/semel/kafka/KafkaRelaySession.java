package io.semel.kafka;

import io.semel.kafka.internal.ProgressReader;
import io.semel.kafka.internal.RelayProgress;
import io.semel.processor.CrashPoints;
import io.semel.processor.outbox.RelayDivergedException;
import io.semel.processor.store.OutboxRow;
import io.semel.processor.store.RelayProducer;
import io.semel.protocol.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transactional-producer session of a {@link KafkaOutboxRelay}. Opening it fences every older
 * session of the same transactional id and resolves its open transaction
 * ({@code initTransactions}), then reads the relay's committed progress P and reconciles the store
 * with it: rows of the one pass Kafka committed but the store did not mark are marked sent; any other
 * disagreement is a {@link RelayDivergedException}. Each {@link #runOnce()} is one Kafka transaction
 * with the oldest unsent rows (a contiguous id-ordered run) plus a progress record.
 *
 * <p>The store keeps, in the relay's {@code semel_producer} row: producer id = this store's id
 * (drawn once), next sequence = the last outbox id the relay marked sent. Not thread-safe: one relay
 * thread.
 */
final class KafkaRelaySession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRelaySession.class);
    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private final KafkaOutboxRelayBuilder cfg;
    private final String rowName;
    private final KafkaProducer<byte[], byte[]> producer;
    private long storeId;
    private long lastSent;

    KafkaRelaySession(KafkaOutboxRelayBuilder cfg) {
        this.cfg = cfg;
        this.rowName = "kafka-" + cfg.relayName;
        this.producer = new KafkaProducer<>(cfg.producerConfig());
    }

    /** initTransactions, progress read, reconciliation. */
    void open() {
        producer.initTransactions();
        ensureProgressTopic();
        Optional<RelayProgress> p = ProgressReader.read(cfg.bootstrapServers, cfg.extra, cfg.progressTopic,
                cfg.relayName, cfg.progressReadTimeoutMs);
        reconcile(p, cfg.store.loadProducer(rowName));
    }

    private void reconcile(Optional<RelayProgress> progress, Optional<RelayProducer> row) {
        String where = "relay '" + cfg.relayName + "' (progress topic " + cfg.progressTopic + ", store row "
                + rowName + ")";
        if (row.isEmpty()) {
            if (progress.isPresent()) {
                throw new RelayDivergedException(where + ": Kafka holds progress " + progress.get() + " but this "
                        + "store never ran this relay: another store uses the relay name, or the store was restored "
                        + "from before the relay's first run. Nothing was sent. See docs/kafka.md, 'Divergence'");
            }
            storeId = cfg.random.nextLong() & Long.MAX_VALUE;
            cfg.store.saveProducer(new RelayProducer(rowName, storeId, 0, 0));
            lastSent = 0;
            return;
        }
        storeId = row.get().producerId();
        long stored = row.get().nextSequence();
        if (progress.isEmpty()) {
            if (stored != 0) {
                throw new RelayDivergedException(where + ": the store marked outbox rows up to id " + stored
                        + " published, but Kafka has no progress record: the progress topic was deleted or lost a "
                        + "committed transaction, or the relay points at another cluster. Nothing was sent");
            }
            lastSent = 0;
            checkNoUnsentAtOrBelow(where, 0);
            return;
        }
        RelayProgress p = progress.get();
        if (p.storeId() != storeId) {
            throw new RelayDivergedException(where + ": the progress record belongs to store " + p.storeId()
                    + ", this store is " + storeId + ": two stores use one relay name. Nothing was sent");
        }
        if (p.lastId() == stored) {
            lastSent = stored;
        } else if (p.previousLastId() == stored && p.lastId() > stored) {
            // The last pass committed in Kafka but its rows were not marked: mark them, never resend.
            int marked = markUpTo(stored, p.lastId());
            LOG.info("{}: Kafka committed outbox ids ({}, {}] that the store had not marked; marked {} rows sent",
                    where, stored, p.lastId(), marked);
            lastSent = p.lastId();
        } else {
            throw new RelayDivergedException(where + ": the store marked rows up to id " + stored + " but Kafka's "
                    + "last committed pass published (" + p.previousLastId() + ", " + p.lastId() + "]. Kafka lost a "
                    + "committed transaction, or the store was restored from a backup. Nothing was sent");
        }
        checkNoUnsentAtOrBelow(where, lastSent);
    }

    private void checkNoUnsentAtOrBelow(String where, long id) {
        List<OutboxRow> first = cfg.store.pendingOutbox(0, 1);
        if (!first.isEmpty() && first.get(0).id() <= id) {
            throw new RelayDivergedException(where + ": outbox row " + first.get(0).id() + " is unsent but at or below "
                    + "the published id " + id + " (rows become visible in id order, so it cannot be new). Nothing "
                    + "was sent");
        }
    }

    /** Marks every unsent row in (after, lastId] sent, then records lastId; returns how many were unsent. */
    private int markUpTo(long after, long lastId) {
        int marked = 0;
        long cursor = after;
        while (true) {
            List<Long> ids = new ArrayList<>();
            for (OutboxRow r : cfg.store.pendingOutbox(cursor, cfg.relayBatchMax)) {
                if (r.id() <= lastId) {
                    ids.add(r.id());
                }
            }
            if (ids.isEmpty()) {
                break;
            }
            marked += cfg.store.markSent(ids, cfg.clock.millis());
            cursor = ids.get(ids.size() - 1);
        }
        cfg.store.saveProducer(new RelayProducer(rowName, storeId, 0, lastId));
        return marked;
    }

    /** One Kafka transaction with up to relayBatchMax rows; returns how many were published (0: none pending). */
    int runOnce() {
        List<OutboxRow> rows = cfg.store.pendingOutbox(lastSent, cfg.relayBatchMax);
        if (rows.isEmpty()) {
            return 0;
        }
        long last = rows.get(rows.size() - 1).id();
        producer.beginTransaction();
        for (OutboxRow row : rows) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(row.message().topic(), row.message().key(),
                    row.message().value());
            for (Header h : row.message().headers()) {
                r.headers().add(new RecordHeader(h.key(), h.value()));
            }
            producer.send(r);
        }
        producer.send(new ProducerRecord<>(cfg.progressTopic, 0, cfg.relayName.getBytes(StandardCharsets.UTF_8),
                new RelayProgress(storeId, lastSent, last).encode()));
        cfg.crash.reached(CrashPoints.KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT);
        producer.commitTransaction(); // throws if any send failed: nothing of the pass is visible then
        cfg.crash.reached(CrashPoints.KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT);
        List<Long> ids = rows.stream().map(OutboxRow::id).toList();
        cfg.store.markSent(ids, cfg.clock.millis());
        cfg.store.saveProducer(new RelayProducer(rowName, storeId, 0, last));
        lastSent = last;
        return rows.size();
    }

    private void ensureProgressTopic() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.bootstrapServers))) {
            if (admin.listTopics().names().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS).contains(cfg.progressTopic)) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(cfg.progressTopic, 1, cfg.progressReplicationFactor)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            LOG.info("relay '{}': created progress topic {} (compacted, 1 partition, replication factor {})",
                    cfg.relayName, cfg.progressTopic, cfg.progressReplicationFactor);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("creating progress topic " + cfg.progressTopic + " failed: "
                        + e.getCause(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the progress topic", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("checking progress topic " + cfg.progressTopic + " timed out after "
                    + ADMIN_TIMEOUT_MS + " ms", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
