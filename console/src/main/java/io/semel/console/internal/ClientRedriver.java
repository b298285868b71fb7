package io.semel.console.internal;

import io.semel.broker.group.GroupNames;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.console.Redriver;
import io.semel.protocol.Header;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * Redrives dead letters through the broker's own produce path with the Semel client: each one is
 * appended to its origin topic and partition (headers {@code semel.dlq.topic}/{@code
 * semel.dlq.partition}) by the durable identity {@code semel.redrive.<dlqTopic>} ({@link
 * RedriveProducer}), then acked in the consumer group {@code semel.redrive.<dlqTopic>} on the
 * dead-letter topic: an acked dead letter is redriven. One dead letter at a time, append before
 * mark, so a redrive repeated after any failure appends nothing twice (see {@link RedriveProducer}).
 *
 * <p>Dead letters the group delivers but that were not selected are released when its consumer
 * leaves (a clean leave does not count as a delivery attempt). Thread-safe: one redrive at a time.
 */
public final class ClientRedriver implements Redriver {
    /** Header of a redriven record: {@code <dlqTopic>/<partition>/<offset>} of the dead letter it came from. */
    public static final String ORIGIN_HEADER = "semel.redrive.origin";
    /** Prefix of the redrive group and producer names. */
    public static final String NAME_PREFIX = "semel.redrive.";
    private static final String DLQ_HEADER_PREFIX = "semel.dlq.";
    private static final Duration POLL_WAIT = Duration.ofMillis(200);

    private final String bootstrap;
    private final String user;
    private final String password;
    private final BrokerView view;
    private final long timeoutMs;
    private final LongSupplier nanoTime;
    private final Map<String, RedriveProducer> producers = new HashMap<>(); // guarded by this

    /** @param user null for a broker without authentication */
    public ClientRedriver(String bootstrap, String user, String password, BrokerView view, long timeoutMs,
            LongSupplier nanoTime) {
        this.bootstrap = bootstrap;
        this.user = user;
        this.password = password;
        this.view = view;
        this.timeoutMs = timeoutMs;
        this.nanoTime = nanoTime;
    }

    /** A selected dead letter with where it goes back to. */
    record Letter(DeadLetterId id, BrokerView.RecordRow row, String topic, int partition, String origin) {
    }

    public static String groupName(String dlqTopic) {
        return NAME_PREFIX + dlqTopic;
    }

    @Override
    public LongPredicate redriven(String dlqTopic, int partition) {
        BrokerView.Settled s = view.settled(groupName(dlqTopic), partition);
        return s == null ? o -> false : s::contains;
    }

    @Override
    public synchronized List<Outcome> redrive(String dlqTopic, List<DeadLetterId> selection) {
        String problem = GroupNames.problem(groupName(dlqTopic));
        if (!dlqTopic.endsWith(GroupNames.DLQ_SUFFIX) || problem != null) {
            throw new IllegalArgumentException("'" + dlqTopic + "' is not a dead-letter topic that can be redriven"
                    + (problem == null ? " (name must end with .dlq)" : ": group name " + problem));
        }
        Map<DeadLetterId, Outcome> outcomes = new LinkedHashMap<>();
        TreeSet<DeadLetterId> sorted = new TreeSet<>(Comparator.comparingInt(DeadLetterId::partition)
                .thenComparingLong(DeadLetterId::offset));
        sorted.addAll(selection);
        Map<DeadLetterId, Letter> todo = new LinkedHashMap<>();
        Map<Integer, LongPredicate> marked = new HashMap<>();
        for (DeadLetterId id : sorted) {
            outcomes.put(id, null);
            if (marked.computeIfAbsent(id.partition(), p -> redriven(dlqTopic, p)).test(id.offset())) {
                outcomes.put(id, new Outcome(id, Status.ALREADY_REDRIVEN, null, "marked redriven earlier"));
                continue;
            }
            Letter l = letter(dlqTopic, id);
            if (l.topic() == null) {
                outcomes.put(id, new Outcome(id, Status.FAILED, null, "no dead letter at " + origin(dlqTopic, id)
                        + " (no record there, or it lacks the semel.dlq.topic/partition headers)"));
            } else {
                todo.put(id, l);
            }
        }
        if (!todo.isEmpty()) {
            run(dlqTopic, todo, marked, outcomes);
        }
        return new ArrayList<>(outcomes.values());
    }

    private void run(String dlqTopic, Map<DeadLetterId, Letter> todo, Map<Integer, LongPredicate> marked,
            Map<DeadLetterId, Outcome> outcomes) {
        RedriveProducer producer = producers.computeIfAbsent(dlqTopic, this::newProducer);
        try {
            // Dead letters appended earlier but never marked (a crash between the two): mark them now.
            Map<DeadLetterId, String> unmarked = new HashMap<>();
            for (Letter l : todo.values()) {
                String last = producer.lastOrigin(l.topic(), l.partition(), l.row().key(), l.row().value(),
                        headers(l));
                DeadLetterId id = parseOrigin(dlqTopic, last);
                if (id != null && !marked.computeIfAbsent(id.partition(), p -> redriven(dlqTopic, p))
                        .test(id.offset())) {
                    unmarked.put(id, l.topic() + "-" + l.partition());
                }
            }
            RedriveSession.run(this, dlqTopic, todo, unmarked, producer, outcomes);
        } catch (RuntimeException e) {
            // The producer's sequence state may be unknown now: start over with a new epoch and a probe.
            producers.remove(dlqTopic).close();
            for (Map.Entry<DeadLetterId, Outcome> o : outcomes.entrySet()) {
                if (o.getValue() == null) {
                    o.setValue(new Outcome(o.getKey(), Status.FAILED, null, e.getMessage()));
                }
            }
        }
    }

    Consumer newConsumer(String dlqTopic) {
        Consumer.Builder b = Consumer.builder(bootstrap).group(groupName(dlqTopic)).topic(dlqTopic)
                .clientId("semel-console-redrive");
        if (user != null) {
            b.credentials(user, password);
        }
        return b.build();
    }

    List<Message> poll(Consumer consumer) {
        return consumer.poll(POLL_WAIT);
    }

    long timeoutMs() {
        return timeoutMs;
    }

    long nanoTime() {
        return nanoTime.getAsLong();
    }

    private RedriveProducer newProducer(String dlqTopic) {
        Producer.Builder b = Producer.builder(bootstrap).durable(NAME_PREFIX + dlqTopic).deliveryTimeoutMs(timeoutMs)
                .clientId("semel-console-redrive");
        if (user != null) {
            b.credentials(user, password);
        }
        return new RedriveProducer(b.build(), view, timeoutMs);
    }

    /** Appends one dead letter to its origin; the record keeps its key, value and own headers. */
    static SendResult append(RedriveProducer producer, Letter l) {
        return producer.append(l.topic(), l.partition(), l.row().key(), l.row().value(), headers(l), l.origin());
    }

    private static List<Header> headers(Letter l) {
        List<Header> out = new ArrayList<>();
        for (Header h : l.row().headers()) {
            if (!h.key().startsWith(DLQ_HEADER_PREFIX) && !h.key().equals(ORIGIN_HEADER)) {
                out.add(h);
            }
        }
        out.add(Header.of(ORIGIN_HEADER, l.origin()));
        return out;
    }

    private Letter letter(String dlqTopic, DeadLetterId id) {
        List<BrokerView.RecordRow> rows = view.read(dlqTopic, id.partition(), id.offset(), 1);
        if (rows.isEmpty() || rows.get(0).offset() != id.offset()) {
            return new Letter(id, null, null, -1, null);
        }
        BrokerView.RecordRow row = rows.get(0);
        String topic = row.header("semel.dlq.topic");
        String partition = row.header("semel.dlq.partition");
        if (topic == null || partition == null) {
            return new Letter(id, row, null, -1, null);
        }
        return new Letter(id, row, topic, Integer.parseInt(partition), origin(dlqTopic, id));
    }

    static String origin(String dlqTopic, DeadLetterId id) {
        return dlqTopic + "/" + id.partition() + "/" + id.offset();
    }

    /** The dead letter named by an origin header of {@code dlqTopic}, else null. */
    static DeadLetterId parseOrigin(String dlqTopic, String origin) {
        if (origin == null || !origin.startsWith(dlqTopic + "/")) {
            return null;
        }
        String[] parts = origin.substring(dlqTopic.length() + 1).split("/");
        return parts.length == 2 ? new DeadLetterId(Integer.parseInt(parts[0]), Long.parseLong(parts[1])) : null;
    }

    @Override
    public synchronized void close() {
        producers.values().forEach(RedriveProducer::close);
        producers.clear();
    }
}
