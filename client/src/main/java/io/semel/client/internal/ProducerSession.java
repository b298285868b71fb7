package io.semel.client.internal;

import io.semel.protocol.InitProducer;
import io.semel.protocol.RecordBatch;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The idempotent producer's session with the broker: producer id and epoch from INIT_PRODUCER,
 * and per topic the highest sequence the broker had persisted per partition when the topic was
 * joined (where the producer's own numbering starts). The first INIT_PRODUCER bumps the epoch,
 * fencing older instances of the same name; later ones (other topics) join with the epoch held,
 * so this instance's batches in flight elsewhere stay valid.
 *
 * <p>Written by the sender thread only; id, epoch and the per-topic sequences are safe to read from
 * any thread (volatile fields, a concurrent map). No I/O: the {@link Sender} (or the simulation)
 * carries {@link #request} to the broker and hands the answer to {@link #joined}.
 */
public final class ProducerSession {
    private final String name;
    /** Random per instance, non-zero: the broker answers a retry of this instance's INIT without a bump. */
    private final long instanceToken;
    private volatile long producerId = RecordBatch.NO_PRODUCER_ID;
    private volatile short epoch = RecordBatch.NO_PRODUCER_EPOCH;
    private final Map<String, Map<Integer, Long>> highestByTopic = new ConcurrentHashMap<>();
    /** Sender-owned: when a failed INIT_PRODUCER of a topic may be retried. */
    private final Map<String, Long> retryAtNanos = new HashMap<>();

    /**
     * @param instanceToken non-zero, unique per producer instance (see {@link #newInstanceToken()});
     *     a retried or late INIT_PRODUCER of this instance then never fences it
     */
    public ProducerSession(String name, long instanceToken) {
        if (instanceToken == InitProducer.NO_INSTANCE_TOKEN) {
            throw new IllegalArgumentException("instance token 0 means none; draw a non-zero one");
        }
        this.name = name;
        this.instanceToken = instanceToken;
    }

    /** A random non-zero token from a {@link SecureRandom}: instances in different processes must differ. */
    public static long newInstanceToken() {
        long t;
        do {
            t = TOKENS.nextLong();
        } while (t == InitProducer.NO_INSTANCE_TOKEN);
        return t;
    }

    private static final SecureRandom TOKENS = new SecureRandom();

    public long producerId() {
        return producerId;
    }

    public short epoch() {
        return epoch;
    }

    public boolean joined(String topic) {
        return highestByTopic.containsKey(topic);
    }

    /** Partition to highest persisted sequence, or null before the topic is joined. */
    public Map<Integer, Long> highestSequences(String topic) {
        return highestByTopic.get(topic);
    }

    /** The first sequence this session uses on {@code tp}. */
    long firstSequence(TopicPartition tp) {
        Map<Integer, Long> s = highestByTopic.get(tp.topic());
        return (s == null ? -1 : s.getOrDefault(tp.partition(), -1L)) + 1;
    }

    /** The INIT_PRODUCER to send for {@code topic}. */
    public InitProducer.Request request(String topic) {
        return new InitProducer.Request(name, topic, epoch, instanceToken);
    }

    /** Records a successful INIT_PRODUCER answer for {@code topic}. */
    public void joined(String topic, InitProducer.Response r) {
        Map<Integer, Long> highest = new HashMap<>();
        for (InitProducer.PartitionSequence s : r.sequences()) {
            highest.put(s.partition(), s.highestSequence());
        }
        producerId = r.producerId();
        epoch = r.producerEpoch();
        highestByTopic.put(topic, Map.copyOf(highest));
        retryAtNanos.remove(topic);
    }

    public void retryAt(String topic, long atNanos) {
        retryAtNanos.put(topic, atNanos);
    }

    /** The first of {@code topics} not joined whose retry time has come, or null. */
    public String nextToJoin(Iterable<String> topics, long now) {
        for (String t : topics) {
            Long at = retryAtNanos.get(t);
            if (!joined(t) && (at == null || now - at >= 0)) {
                return t;
            }
        }
        return null;
    }
}
