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
    private final RelayPassCounters counters;
    private long storeId;
    private long lastSent;

    KafkaRelaySession(KafkaOutboxRelayBuilder cfg, RelayPassCounters counters) {
        this.cfg = cfg;
        this.counters = counters;
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

    /** Marks every unsent row in (after, lastId] sent and records lastId, in one store transaction; returns how many. */
    private int markUpTo(long after, long lastId) {
        return cfg.store.markSentThrough(after, lastId, cfg.clock.millis(), new RelayProducer(rowName, storeId, 0, lastId));
    }

    /**
     * One Kafka transaction: the unsent rows above the last published id, read in chunks of {@code relayBatchMax}
     * while each chunk comes back full (more are pending), up to {@code relayPassRowsMax} and up to the highest id
     * committed when the first chunk came back full, plus the progress record;
     * then one store transaction marks them sent and records the last id. Returns how many rows it published (0:
     * none pending). Larger passes when rows queue up: a Kafka transaction costs several forced writes whatever its
     * size, so a relay that fell behind catches up in fewer of them.
     */
    int runOnce() {
        long t0 = System.nanoTime();
        List<OutboxRow> chunk = cfg.store.pendingOutbox(lastSent, Math.min(cfg.relayBatchMax, cfg.relayPassRowsMax));
        long t1 = System.nanoTime();
        counters.readNanos.addAndGet(t1 - t0);
        if (chunk.isEmpty()) {
            counters.emptyPasses.incrementAndGet();
            return 0;
        }
        producer.beginTransaction();
        int rows = 0;
        long last = lastSent;
        long chunkReadNanos = 0;
        long bound = Long.MAX_VALUE; // read once a second chunk is wanted
        while (true) {
            // Contiguous: ids become visible in commit order, and each chunk starts right after the previous one.
            assert chunk.get(0).id() > last : "outbox row " + chunk.get(0).id() + " read after " + last;
            sendAll(chunk);
            rows += chunk.size();
            last = chunk.get(chunk.size() - 1).id();
            int room = cfg.relayPassRowsMax - rows;
            if (chunk.size() < cfg.relayBatchMax || room == 0 || last >= bound) {
                break;
            }
            long r0 = System.nanoTime();
            if (bound == Long.MAX_VALUE) {
                // Only the rows committed by now: a pass never chases a processor that keeps committing.
                bound = cfg.store.lastOutboxId();
            }
            chunk = below(cfg.store.pendingOutbox(last, Math.min(cfg.relayBatchMax, room)), bound);
            chunkReadNanos += System.nanoTime() - r0;
            if (chunk.isEmpty()) {
                break;
            }
        }
        producer.send(new ProducerRecord<>(cfg.progressTopic, 0, cfg.relayName.getBytes(StandardCharsets.UTF_8),
                new RelayProgress(storeId, lastSent, last).encode()));
        cfg.crash.reached(CrashPoints.KAFKA_RELAY_AFTER_SEND_BEFORE_COMMIT);
        producer.commitTransaction(); // throws if any send failed: nothing of the pass is visible then
        long t2 = System.nanoTime();
        counters.readNanos.addAndGet(chunkReadNanos);
        counters.kafkaNanos.addAndGet(t2 - t1 - chunkReadNanos);
        cfg.crash.reached(CrashPoints.KAFKA_RELAY_AFTER_COMMIT_BEFORE_MARK_SENT);
        int marked = markUpTo(lastSent, last);
        // Every row of (lastSent, last] was unsent when read, and only this relay (holding the store lock) marks them.
        assert marked == rows : "marked " + marked + " rows of a pass of " + rows + " in (" + lastSent + ", " + last + "]";
        lastSent = last;
        counters.markNanos.addAndGet(System.nanoTime() - t2);
        counters.passes.incrementAndGet();
        counters.rows.addAndGet(rows);
        return rows;
    }

    /** The leading rows of {@code rows} (in id order) with id at most {@code bound}. */
    private static List<OutboxRow> below(List<OutboxRow> rows, long bound) {
        int n = 0;
        while (n < rows.size() && rows.get(n).id() <= bound) {
            n++;
        }
        return rows.subList(0, n);
    }

    private void sendAll(List<OutboxRow> chunk) {
        for (OutboxRow row : chunk) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(row.message().topic(), row.message().key(),
                    row.message().value());
            for (Header h : row.message().headers()) {
                r.headers().add(new RecordHeader(h.key(), h.value()));
            }
            producer.send(r);
        }
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
