package io.semel.processor;

import io.semel.client.AckResult;
import io.semel.client.Consumer;
import io.semel.client.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Source} over a Semel {@link Consumer} (one group member on one topic). The consumer is
 * owned by this source: {@link #close()} closes it (leaving the group).
 *
 * <p>Not thread-safe, like the consumer: one thread polls and settles; {@link #close()} from any thread.
 */
public final class SemelSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(SemelSource.class);
    private final Consumer consumer;
    private final RedeliverySettings settings;

    /**
     * @param settings the broker's group settings; they decide {@link #redeliveryHorizonMs()}, which
     *     the processor checks against its inbox retention
     */
    public SemelSource(Consumer consumer, RedeliverySettings settings) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The member's id in its group (for logs and tests). */
    public String memberId() {
        return consumer.memberId();
    }

    @Override
    public List<SourceMessage> poll(Duration timeout) {
        List<Message> polled = consumer.poll(timeout);
        List<SourceMessage> out = new ArrayList<>(polled.size());
        for (Message m : polled) {
            out.add(SourceMessage.of(m.topic(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch(),
                    m.key(), m.value(), m.headers(), m.timestampMs()));
        }
        return out;
    }

    /**
     * Queues the acks to ride on the next poll (POLL v2, {@link Consumer#ackWithNextPoll}): acking a
     * batch and polling the next is then one round trip and one group-log fsync. Safe because the
     * processor acks only what it has committed: an ack that is late, or lost with a crash, is a
     * redelivery that dedup skips. Returns how many were queued; a refused or failed ack is logged
     * when the poll that carried it is answered ({@link #close()} sends what is still waiting).
     */
    @Override
    public int ack(List<SourceMessage> messages) {
        List<Message> ms = new ArrayList<>(messages.size());
        for (SourceMessage m : messages) {
            ms.add(toClient(m));
        }
        consumer.ackWithNextPoll(ms).whenComplete(this::logUnsettled);
        return ms.size();
    }

    private void logUnsettled(List<AckResult> results, Throwable failure) {
        if (failure != null) {
            LOG.warn("consumer {}: acks that rode on a poll failed ({}); their redeliveries will be skipped",
                    consumer.memberId(), failure.toString());
            return;
        }
        int refused = AckResult.failures(results).size();
        if (refused > 0) {
            LOG.info("consumer {}: {} of {} acks refused (lease moved); their redeliveries will be skipped",
                    consumer.memberId(), refused, results.size());
        }
    }

    @Override
    public void nack(SourceMessage message, String errorText) {
        consumer.nack(toClient(message), errorText);
    }

    @Override
    public long redeliveryHorizonMs() {
        return settings.redeliveryHorizonMs();
    }

    @Override
    public boolean isLastDelivery(SourceMessage message) {
        return message.deliveryCount() >= settings.maxDeliveries();
    }

    /**
     * True: the broker assigns each record one offset, redelivers it with that offset under the
     * partition's lease epoch, and its idempotent producers keep each confirmed send once in the log.
     */
    @Override
    public boolean sequenced() {
        return true;
    }

    @Override
    public void close() {
        consumer.close();
    }

    private static Message toClient(SourceMessage m) {
        // Ack and nack identify a delivery by (partition, lease epoch, offset); the rest is carried along.
        return new Message(m.topic(), m.partition(), m.offset(), m.deliveryCount(), m.leaseEpoch(), m.key(),
                m.value(), m.headers(), m.timestampMs());
    }
}
