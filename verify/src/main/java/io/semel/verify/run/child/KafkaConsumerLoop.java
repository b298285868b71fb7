package io.semel.verify.run.child;

import io.semel.processor.store.JdbcStore;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.AddMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The two weaker consumers on Kafka, written the way an application without Semel writes them: a plain
 * {@link KafkaConsumer} in a group, offsets committed to Kafka ({@code commitSync}), each message applied in its own
 * JDBC transaction with no dedup record:
 * <ul>
 *   <li>at-least-once: poll, apply each, <em>then</em> commit the offsets. The crash point sits after the applies
 *       and before the commit, so the next owner re-reads and re-applies the batch (duplicates);</li>
 *   <li>at-most-once: poll, commit the offsets, <em>then</em> apply. A commit whose outcome is unknown is not
 *       followed by the applies; the crash point sits after the commit and before the applies (losses).</li>
 * </ul>
 * The processor's other faults hit it at the same steps as the exactly-once processor, so all three guarantees
 * face the same schedule: {@code crash-after-claim} halts when the group assigns it partitions (before it polls
 * them), {@code crash-after-handler-before-commit} and the {@code zombie} inside an apply's transaction, after the
 * effect. Deliveries carry count 1 (Kafka keeps none) and the group generation as lease epoch. Runs on the child's
 * main thread only.
 */
final class KafkaConsumerLoop {
    private static final Duration POLL_WAIT = Duration.ofMillis(300);

    private final Guarantee guarantee;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final JdbcStore store;
    private final ChildHistory history;
    private final ChildChannel channel;
    private final String outboxTopic;

    /** @param outboxTopic where each apply also enqueues its outgoing copy (null: none) */
    KafkaConsumerLoop(Guarantee guarantee, Map<String, Object> config, String topic, String outboxTopic,
            JdbcStore store, ChildHistory history, ChildChannel channel) {
        this.outboxTopic = outboxTopic;
        if (guarantee == Guarantee.EXACTLY_ONCE) {
            throw new IllegalArgumentException("exactly-once runs the processor on KafkaSource, not this loop");
        }
        this.guarantee = guarantee;
        this.store = store;
        this.history = history;
        this.channel = channel;
        this.consumer = new KafkaConsumer<>(config);
        consumer.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                String claim = io.semel.verify.schedule.FaultKind.CRASH_AFTER_CLAIM.wireName();
                if (!partitions.isEmpty() && channel.armed(claim)) {
                    history.crashNow(claim, "plain consumer: partitions assigned, before it polls them");
                }
            }

            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
            }
        });
    }

    static Map<String, Object> config(ChildArgs args) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args.get("group"));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, args.get("name"));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args.getInt("session-timeout-ms"));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, KafkaProcessorChild.HEARTBEAT_INTERVAL_MS);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, KafkaProcessorChild.MAX_POLL_INTERVAL_MS);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 300);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    void run() {
        while (true) {
            if (channel.stopRequested()) {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
                Runtime.getRuntime().halt(0);
            }
            ConsumerRecords<byte[], byte[]> polled;
            try {
                polled = consumer.poll(POLL_WAIT);
            } catch (RuntimeException e) {
                if (unusable(e)) {
                    // An application restarts such a consumer; so does this one (the harness's watchdog starts the
                    // next generation).
                    System.err.println("poll failed, consumer unusable, exiting for a restart: " + e);
                    System.err.flush();
                    Runtime.getRuntime().halt(3);
                    return;
                }
                // The consumer recovers by itself (rejoin, reconnect); nothing was handed out.
                System.err.println("poll failed: " + e);
                continue;
            }
            if (!polled.isEmpty()) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(polled.count());
                polled.forEach(batch::add);
                handle(batch);
            }
        }
    }

    /**
     * Whether a poll's failure leaves the consumer unusable, so the process exits for a restart, rather than one it
     * recovers from by itself (rejoin, reconnect). A broken connection state (a {@code CorrelationIdMismatchException},
     * an {@link IllegalStateException}, after the proxy dropped one reply on a kept connection) also kills the group
     * heartbeat thread, and the consumer then never rejoins: it sat idle to the end of run seed 961441
     * (at-least-once), its backlog counted lost.
     */
    static boolean unusable(RuntimeException pollFailure) {
        return pollFailure instanceof IllegalStateException;
    }

    private void handle(List<ConsumerRecord<byte[], byte[]>> batch) {
        long generation = consumer.groupMetadata().generationId();
        history.invoke(new EventValue.Deliver(history.consumer(), 0, List.of()));
        history.ok(new EventValue.Deliver(history.consumer(), generation, KafkaRecords.deliveries(batch, generation)));
        if (guarantee == Guarantee.AT_MOST_ONCE) {
            boolean committed = commit(batch);
            if (history.crashArmed()) {
                history.crashNow("at-most-once on Kafka: after the offset commit, before the applies");
            }
            // Only after a commit Kafka confirmed: one whose outcome is unknown may be re-read, so applying it
            // could apply it twice. Not applying it is at-most-once.
            if (committed) {
                applyEach(batch);
            }
        } else {
            applyEach(batch);
            if (history.crashArmed()) {
                history.crashNow("at-least-once on Kafka: after the applies, before the offset commit");
            }
            commit(batch);
        }
    }

    /** Each message in its own transaction. */
    private void applyEach(List<ConsumerRecord<byte[], byte[]>> batch) {
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            AddMessage add = AddMessage.decodeValue(r.value());
            EventValue.Apply a = new EventValue.Apply(history.consumer(), List.of(add.id()),
                    KafkaRecords.nextOffsets(List.of(r)));
            history.invoke(a);
            try {
                store.inTransaction(tx -> {
                    Accounts.apply(tx.connection(), add);
                    KafkaProcessorChild.inTransaction(channel, history);
                    if (outboxTopic != null) {
                        // Each apply its own outgoing copy: a message applied twice is published twice, as its
                        // effect is; the relay must publish each row once (the harness's output check).
                        String outId = add.id() + "#" + java.util.UUID.randomUUID();
                        tx.enqueueOutbox(new io.semel.processor.store.OutboxMessage(outboxTopic, r.key(), r.value(),
                                List.of(io.semel.protocol.Header.of(AddMessage.ID_HEADER, outId)), outId,
                                System.currentTimeMillis()));
                    }
                    return null;
                });
                history.ok(a);
            } catch (Exception e) {
                history.info(a, e);
            }
        }
    }

    /** commitSync of the batch's next offsets; the ack is {@code ok} when Kafka confirmed it, else {@code info}. */
    private boolean commit(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<Integer, Long> e : KafkaRecords.nextOffsets(batch).entrySet()) {
            offsets.put(new TopicPartition(batch.get(0).topic(), e.getKey()), new OffsetAndMetadata(e.getValue()));
        }
        EventValue.Ack a = new EventValue.Ack(history.consumer(), batch.stream().map(KafkaRecords::id).toList());
        history.invoke(a);
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(5));
            history.ok(a);
            return true;
        } catch (RuntimeException e) {
            history.info(a, e);
            return false;
        }
    }
}
