package io.semel.console.internal;

import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.protocol.Header;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The durable producer identity that redrives one dead-letter topic, {@code semel.redrive.<dlqTopic>},
 * with the sequences it owns per target partition. Each redriven record carries {@value
 * ClientRedriver#ORIGIN_HEADER} = {@code <dlqTopic>/<partition>/<offset>}.
 *
 * <p>Why a repeated redrive cannot append twice: the redriver appends one dead letter at a time and
 * marks it done (acks it in its group) before appending the next, so at most one appended dead
 * letter per target partition is not yet marked, and it is the last record this identity appended
 * there. On first use of a target partition (after every restart of this producer) it resends its
 * highest sequence; the broker answers it as a duplicate with the original offset, whose origin
 * header names that last dead letter ({@link #lastOrigin}). The redriver then only marks that one.
 *
 * <p>Not thread-safe: used under the redriver's lock.
 */
final class RedriveProducer implements AutoCloseable {
    private final Producer producer;
    private final BrokerView view;
    private final long timeoutMs;
    private final Map<String, Target> targets = new HashMap<>();

    /** Sequence state of one target partition. */
    private static final class Target {
        long next;
        String lastOrigin; // null: this identity never appended there
    }

    RedriveProducer(Producer producer, BrokerView view, long timeoutMs) {
        this.producer = producer;
        this.view = view;
        this.timeoutMs = timeoutMs;
    }

    /**
     * The origin of the last record this identity appended to {@code topic-partition}, or null if
     * none; probes the broker on first use (see the class comment).
     */
    String lastOrigin(String topic, int partition, byte[] key, byte[] value, List<Header> headers) {
        Target t = targets.get(topic + "-" + partition);
        if (t == null) {
            t = new Target();
            long last = producer.nextSequence(topic, partition) - 1;
            t.next = last + 1;
            if (last >= 0) {
                SendResult probe = await(producer.sendWithSequence(topic, partition, last, key, value, headers));
                if (!probe.duplicate() || probe.offset() < 0) {
                    throw new IllegalStateException("probe of " + topic + "-" + partition + " with producer '"
                            + producer.name() + "' sequence " + last + " was answered " + probe + ", not as a duplicate "
                            + "with its original offset; look for header " + ClientRedriver.ORIGIN_HEADER
                            + " in that partition before redriving again");
                }
                List<BrokerView.RecordRow> rows = view.read(topic, partition, probe.offset(), 1);
                t.lastOrigin = rows.isEmpty() ? null : rows.get(0).header(ClientRedriver.ORIGIN_HEADER);
            }
            targets.put(topic + "-" + partition, t);
        }
        return t.lastOrigin;
    }

    /** Appends with the next sequence; call {@link #lastOrigin} for the partition first. */
    SendResult append(String topic, int partition, byte[] key, byte[] value, List<Header> headers, String origin) {
        Target t = targets.get(topic + "-" + partition);
        if (t == null) {
            throw new IllegalStateException("lastOrigin was not called for " + topic + "-" + partition);
        }
        SendResult r = await(producer.sendWithSequence(topic, partition, t.next, key, value, headers));
        if (r.duplicate()) {
            // Only this identity writes these sequences (a second instance would fence this one).
            throw new IllegalStateException("redrive append to " + topic + "-" + partition + " with sequence " + t.next
                    + " was answered as a duplicate; another redriver with producer '" + producer.name()
                    + "' is running");
        }
        t.next++;
        t.lastOrigin = origin;
        return r;
    }

    private SendResult await(java.util.concurrent.CompletableFuture<SendResult> f) {
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while redriving", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("redrive append not confirmed within redriveTimeoutMs " + timeoutMs
                    + "; its outcome is unknown, redrive again (it is idempotent)", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("redrive append failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
