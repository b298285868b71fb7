package io.semel.verify.run.child;

import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.AddMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Main class of a producer child JVM on the Kafka engine: the same workload, lanes, pacing and history as
 * {@link ProducerChild}, sent with a {@link KafkaProducer} through the producers' proxies:
 * <ul>
 *   <li>exactly-once: idempotent ({@code enable.idempotence=true}, {@code acks=all}): the brokers deduplicate the
 *       producer's retries within its session. A restarted child is a new producer id, but a restart never resends:
 *       its open sends are {@code info} and new messages have new ids;</li>
 *   <li>at-least-once: retries without idempotence ({@code acks=all}): a lost reply makes a second copy;</li>
 *   <li>at-most-once: one attempt ({@code retries=0}).</li>
 * </ul>
 * History: {@code invoke} before {@code send}; {@code ok} with partition and offset; {@code info} for every failure —
 * a Kafka send that failed after it left the client (a timeout, a lost connection, a leader change) may still have
 * been appended, and the client does not tell those apart reliably, so none is recorded {@code fail}. A producer in a
 * fatal state (fenced, out-of-order sequence) stops the child (exit 4) and the harness restarts it.
 *
 * <p>Arguments as {@link ProducerChild}'s.
 */
public final class KafkaProducerChild {
    static final int REQUEST_TIMEOUT_MS = 2_000;
    /** The producers' delivery timeout; a stall longer than this yields unknown sends even with idempotence. */
    public static final long DELIVERY_TIMEOUT_MS = 6_000;

    private final String name;
    private final int generation;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ChildChannel channel;
    private final Pacer pacer;
    private final Random random;
    private final int accounts;
    private final Object sendOrder = new Object();
    private long counter;

    private KafkaProducerChild(ChildChannel channel, ChildArgs args) {
        this.channel = channel;
        this.name = args.get("name");
        this.generation = args.getInt("generation");
        this.topic = args.get("topic");
        this.accounts = args.getInt("accounts");
        this.random = new Random(Long.parseLong(args.get("seed")) * 31 + name.hashCode() * 1_009L + generation);
        this.pacer = new Pacer(Double.parseDouble(args.get("rate")));
        this.producer = new KafkaProducer<>(config(args.get("bootstrap"), name,
                Guarantee.fromWireName(args.get("guarantee"))));
    }

    static Map<String, Object> config(String bootstrap, String clientId, Guarantee guarantee) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT_MS);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 300);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 300);
        p.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 1_000);
        p.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 2_000);
        switch (guarantee) {
            case EXACTLY_ONCE -> p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            case AT_LEAST_ONCE -> {
                p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
                p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
            }
            case AT_MOST_ONCE -> {
                p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
                p.put(ProducerConfig.RETRIES_CONFIG, 0);
            }
        }
        return p;
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        String name = args.get("name");
        int generation = args.getInt("generation");
        ChildChannel channel = ChildChannel.connect(args);
        KafkaProducerChild child = new KafkaProducerChild(channel, args);
        List<Thread> lanes = new ArrayList<>();
        for (int l = 1; l <= args.getInt("lanes"); l++) {
            ChildHistory lane = new ChildHistory(channel, name + ".l" + l, generation);
            lanes.add(new Thread(() -> child.runLane(lane), "lane-" + l));
        }
        System.out.println(ProducerChild.READY + " " + name + " generation " + generation);
        System.out.flush();
        lanes.forEach(Thread::start);
        for (Thread t : lanes) {
            t.join();
        }
        child.producer.close(Duration.ofSeconds(1));
        System.out.println("STOPPED " + name);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private synchronized AddMessage next() {
        counter++;
        String id = String.format("%s-g%d-%06d", name, generation, counter);
        String account = String.format("a%02d", random.nextInt(accounts));
        return new AddMessage(id, account, 1 + random.nextInt(100));
    }

    private void runLane(ChildHistory h) {
        long waitMs = DELIVERY_TIMEOUT_MS + ProducerChild.WAIT_SLACK_MS;
        while (!channel.stopRequested()) {
            if (!pacer.pace()) {
                continue;
            }
            EventValue.Send send;
            CompletableFuture<RecordMetadata> pending;
            // Sends are invoked in the history in the order they reach the client (send-reorder).
            synchronized (sendOrder) {
                AddMessage m = next();
                send = new EventValue.Send(m.id(), m.account(), m.amt());
                h.invoke(send);
                pending = sendOrFail(m);
            }
            try {
                RecordMetadata r = pending.get(waitMs, TimeUnit.MILLISECONDS);
                h.ok(send.confirmed(r.partition(), r.offset()));
            } catch (ExecutionException e) {
                failed(h, send, e.getCause());
            } catch (TimeoutException e) {
                h.info(send, new TimeoutException("no answer within " + waitMs + " ms"));
            } catch (InterruptedException e) {
                h.info(send, e);
                return;
            }
        }
    }

    private CompletableFuture<RecordMetadata> sendOrFail(AddMessage m) {
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        try {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, m.encodeKey(), m.encodeValue());
            r.headers().add(AddMessage.ID_HEADER, m.id().getBytes(StandardCharsets.UTF_8));
            producer.send(r, (md, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(md);
                }
            });
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    private void failed(ChildHistory h, EventValue.Send send, Throwable cause) {
        h.info(send, cause);
        if (cause instanceof ProducerFencedException || cause instanceof OutOfOrderSequenceException
                || cause instanceof IllegalStateException) {
            // The producer cannot go on: die, and the harness restarts this child.
            System.err.println("producer " + name + " stops: " + ChildHistory.describe(cause));
            System.err.flush();
            Runtime.getRuntime().halt(4);
        }
    }
}
