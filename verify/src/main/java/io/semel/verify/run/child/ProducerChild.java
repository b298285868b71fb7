package io.semel.verify.run.child;

import io.semel.client.ClientClosedException;
import io.semel.client.DefiniteFailureException;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.FatalProducerException;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.protocol.Header;
import io.semel.verify.history.EventValue;
import io.semel.verify.history.Guarantee;
import io.semel.verify.run.AddMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Main class of a producer child JVM ({@code ProducerNode} starts, kills, pauses and restarts it): one
 * {@link Producer} with the guarantee's setting (exactly-once → idempotent with a stable name, so a restarted
 * child continues the same producer identity under a new epoch), sending the workload through the producers'
 * fault proxy on {@code lanes} threads. History goes up the {@link ChildChannel}, as the processor child's does.
 *
 * <p>History at the API, above the client's retries: {@code invoke} before {@code send}; {@code ok} with partition
 * and offset; {@code fail} only for a {@link DefiniteFailureException} (the client's promise that nothing was
 * appended); {@code info} for anything else, after which the lane continues under a new process id. A SIGKILL
 * leaves the open sends without a completion: the harness records them {@code info} once the child's stream has
 * ended. Message ids are {@code <name>-g<generation>-<n>}, unique across lives.
 *
 * <p>Arguments ({@code --key value}): {@code name generation bootstrap topic guarantee events lanes rate (sends/s
 * of this child) accounts seed}. On {@link ChildChannel#STOP} the lanes finish their current send, then the
 * child closes its producer and exits 0.
 */
public final class ProducerChild {
    public static final String READY = "READY";
    static final int REQUEST_TIMEOUT_MS = 1_000;
    /** The producers' delivery timeout; a stall longer than this yields unknown sends even with idempotence. */
    public static final long DELIVERY_TIMEOUT_MS = 2_500;
    /** A lane waits this much longer than the delivery timeout before it calls the send unknown itself. */
    public static final long WAIT_SLACK_MS = 3_000;

    private final ChildChannel channel;
    private final String name;
    private final int generation;
    private final String topic;
    private final Producer producer;
    private final Pacer pacer;
    private final Random random;
    private final int accounts;
    private long counter;

    private ProducerChild(ChildChannel channel, ChildArgs args) {
        this.channel = channel;
        this.name = args.get("name");
        this.generation = args.getInt("generation");
        this.topic = args.get("topic");
        this.accounts = args.getInt("accounts");
        this.random = new Random(Long.parseLong(args.get("seed")) * 31 + name.hashCode() * 1_009L + generation);
        this.pacer = new Pacer(Double.parseDouble(args.get("rate")));
        this.producer = Producer.builder(args.get("bootstrap"))
                .clientId(name).name("verify-" + name)
                .guarantee(switch (Guarantee.fromWireName(args.get("guarantee"))) {
                    case EXACTLY_ONCE -> DeliveryGuarantee.EXACTLY_ONCE;
                    case AT_LEAST_ONCE -> DeliveryGuarantee.AT_LEAST_ONCE;
                    case AT_MOST_ONCE -> DeliveryGuarantee.AT_MOST_ONCE;
                })
                .lingerMs(1)
                .requestTimeoutMs(REQUEST_TIMEOUT_MS)
                .deliveryTimeoutMs(DELIVERY_TIMEOUT_MS)
                .retryBackoffMs(50).retryBackoffMaxMs(300)
                .maxBlockMs(3_000)
                .connectTimeoutMs(1_000)
                .reconnectBackoffMs(50, 300)
                .build();
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        String name = args.get("name");
        int generation = args.getInt("generation");
        ChildChannel channel = ChildChannel.connect(args);
        ProducerChild child = new ProducerChild(channel, args);
        List<Thread> lanes = new ArrayList<>();
        for (int l = 1; l <= args.getInt("lanes"); l++) {
            ChildHistory lane = new ChildHistory(channel, name + ".l" + l, generation);
            Thread t = new Thread(() -> child.runLane(lane), "lane-" + l);
            lanes.add(t);
        }
        System.out.println(READY + " " + name + " generation " + generation);
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

    /** Held from a send's invoke record until the client has the send. */
    private final Object sendOrder = new Object();

    private synchronized AddMessage next() {
        counter++;
        String id = String.format("%s-g%d-%06d", name, generation, counter);
        String account = String.format("a%02d", random.nextInt(accounts));
        return new AddMessage(id, account, 1 + random.nextInt(100));
    }

    private void runLane(ChildHistory h) {
        while (!channel.stopRequested()) {
            if (!pacer.pace()) {
                continue;
            }
            EventValue.Send send;
            CompletableFuture<SendResult> pending;
            // Sends are invoked in the history in the order they reach the client, so the checker can
            // hold the idempotent producer to its per-partition order (send-reorder).
            synchronized (sendOrder) {
                AddMessage m = next();
                send = new EventValue.Send(m.id(), m.account(), m.amt());
                h.invoke(send);
                pending = sendOrFail(m);
            }
            try {
                SendResult r = pending.get(DELIVERY_TIMEOUT_MS + WAIT_SLACK_MS, TimeUnit.MILLISECONDS);
                h.ok(send.confirmed(r.partition(), r.offset()));
            } catch (ExecutionException e) {
                failed(h, send, e.getCause());
            } catch (TimeoutException e) {
                h.info(send, new TimeoutException("no answer within " + (DELIVERY_TIMEOUT_MS + WAIT_SLACK_MS) + " ms"));
            } catch (InterruptedException e) {
                h.info(send, e);
                return;
            } catch (RuntimeException e) {
                failed(h, send, e);
            }
        }
    }

    /** The client's future, or one already failed with what {@code send} threw (buffer full, closed). */
    private CompletableFuture<SendResult> sendOrFail(AddMessage m) {
        try {
            return producer.send(topic, m.encodeKey(), m.encodeValue(), List.of(Header.of(AddMessage.ID_HEADER, m.id())));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void failed(ChildHistory h, EventValue.Send send, Throwable cause) {
        if (cause instanceof DefiniteFailureException) {
            h.fail(send, ChildHistory.describe(cause));
            if (cause instanceof FatalProducerException || cause instanceof ClientClosedException) {
                // The producer cannot go on (fenced, closed): die, and the harness restarts this child.
                System.err.println("producer " + name + " stops: " + ChildHistory.describe(cause));
                System.err.flush();
                Runtime.getRuntime().halt(4);
            }
            return;
        }
        h.info(send, cause);
    }
}
