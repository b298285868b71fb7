package io.semel.console.internal;

import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.SendResult;
import io.semel.console.Redriver.DeadLetterId;
import io.semel.console.Redriver.Outcome;
import io.semel.console.Redriver.Status;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One redrive request: joins the redrive group on the dead-letter topic, collects the deliveries of
 * the dead letters it needs, then per dead letter appends (unless the probe showed it was appended
 * already) and acks. The consumer leaves at the end, releasing what it did not ack. Not thread-safe;
 * runs under {@link ClientRedriver}'s lock.
 */
final class RedriveSession {
    private RedriveSession() {
    }

    /**
     * @param unmarked dead letters an earlier redrive appended (to the named target) but never marked
     * @param outcomes filled in for every letter of {@code todo}
     * @throws RuntimeException when appending or marking failed; letters without an outcome failed
     */
    static void run(ClientRedriver redriver, String dlqTopic, Map<DeadLetterId, ClientRedriver.Letter> todo,
            Map<DeadLetterId, String> unmarked, RedriveProducer producer, Map<DeadLetterId, Outcome> outcomes) {
        Set<DeadLetterId> need = new HashSet<>(todo.keySet());
        need.addAll(unmarked.keySet());
        try (Consumer consumer = redriver.newConsumer(dlqTopic)) {
            Map<DeadLetterId, Message> got = collect(redriver, consumer, need);
            for (Map.Entry<DeadLetterId, String> u : unmarked.entrySet()) {
                if (todo.containsKey(u.getKey())) {
                    continue; // marked below, as ALREADY_REDRIVEN
                }
                Message m = got.get(u.getKey());
                if (m == null) {
                    throw new IllegalStateException("dead letter " + ClientRedriver.origin(dlqTopic, u.getKey())
                            + " was appended to " + u.getValue() + " by an earlier redrive but is not marked, and "
                            + "the group did not deliver it within redriveTimeoutMs " + redriver.timeoutMs()
                            + "; redrive again");
                }
                consumer.ack(m);
            }
            for (ClientRedriver.Letter l : todo.values()) {
                Message m = got.get(l.id());
                if (m == null) {
                    outcomes.put(l.id(), new Outcome(l.id(), Status.FAILED, null, "group "
                            + ClientRedriver.groupName(dlqTopic) + " did not deliver it within redriveTimeoutMs "
                            + redriver.timeoutMs() + " (a member holds at most maxUnackedPerMember deliveries: "
                            + "redrive the dead letters before it first)"));
                    continue;
                }
                String last = producer.lastOrigin(l.topic(), l.partition(), l.row().key(), l.row().value(),
                        List.of());
                Status status;
                String target;
                if (l.origin().equals(last)) {
                    status = Status.ALREADY_REDRIVEN;
                    target = l.topic() + "-" + l.partition();
                } else {
                    SendResult r = ClientRedriver.append(producer, l);
                    status = Status.REDRIVEN;
                    target = r.topic() + "-" + r.partition() + "@" + r.offset();
                }
                try {
                    consumer.ack(m);
                } catch (RuntimeException e) {
                    outcomes.put(l.id(), new Outcome(l.id(), Status.FAILED, target, "appended to " + target
                            + " but not marked redriven (" + e.getMessage() + "); redrive it again to mark it, "
                            + "it will not be appended twice"));
                    throw e;
                }
                outcomes.put(l.id(), new Outcome(l.id(), status, target, null));
            }
        }
    }

    private static Map<DeadLetterId, Message> collect(ClientRedriver redriver, Consumer consumer,
            Set<DeadLetterId> need) {
        Map<DeadLetterId, Message> got = new HashMap<>();
        long deadline = redriver.nanoTime() + TimeUnit.MILLISECONDS.toNanos(redriver.timeoutMs());
        while (got.size() < need.size() && redriver.nanoTime() - deadline < 0) {
            for (Message m : redriver.poll(consumer)) {
                DeadLetterId id = new DeadLetterId(m.partition(), m.offset());
                if (need.contains(id)) {
                    got.put(id, m);
                }
            }
        }
        return got;
    }
}
