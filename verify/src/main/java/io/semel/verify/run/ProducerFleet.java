package io.semel.verify.run;

import io.semel.client.ClientClosedException;
import io.semel.client.DefiniteFailureException;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.FatalProducerException;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.protocol.Header;
import io.semel.verify.history.EventValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workload's producers, in the harness JVM, each a {@link Producer} through the producers' fault proxy
 * with the guarantee's setting: exactly-once → {@code EXACTLY_ONCE} (idempotent, stable name), at-least-once
 * → {@code AT_LEAST_ONCE} (retries, no producer id), at-most-once → {@code AT_MOST_ONCE} (one attempt).
 *
 * <p>History at the API, above the client's retries: {@code invoke} before {@code send}; {@code ok} with
 * partition and offset; {@code fail} only for a {@link DefiniteFailureException} (the client's promise that
 * nothing was appended); {@code info} for {@code OutcomeUnknownException}, a timeout or anything else, after
 * which the lane continues under a new process id. Each producer has several lanes (logical processes) so
 * that, one op per process, sends still overlap.
 *
 * <p>Threads: {@code producers × lanes} lane threads. Thread-safe.
 */
final class ProducerFleet {
    static final int REQUEST_TIMEOUT_MS = 1_000;
    static final long DELIVERY_TIMEOUT_MS = 2_500;
    /** A lane waits this much longer than the delivery timeout before it calls the send unknown itself. */
    private static final long WAIT_SLACK_MS = 3_000;

    private final List<Client> clients = new ArrayList<>();
    private final List<Thread> lanes = new ArrayList<>();
    private final RunHistory history;
    private final String topic;
    private volatile boolean running = true;

    ProducerFleet(VerifyConfig cfg, String bootstrap, String topic, RunHistory history) {
        this.history = history;
        this.topic = topic;
        long intervalNs = 1_000_000_000L * cfg.producers() / cfg.sendsPerSecond();
        for (int p = 1; p <= cfg.producers(); p++) {
            Client c = new Client("p" + p, bootstrap, cfg, new Random(cfg.seed() * 31 + p), intervalNs);
            clients.add(c);
            for (int l = 1; l <= cfg.lanesPerProducer(); l++) {
                String lane = c.name + ".l" + l;
                Thread t = new Thread(() -> runLane(c, lane), "lane-" + lane);
                t.setDaemon(true);
                lanes.add(t);
            }
        }
    }

    void start() {
        lanes.forEach(Thread::start);
    }

    /** Stops sending; each lane finishes its current send (bounded by its wait); then the producers close. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : lanes) {
            t.join(DELIVERY_TIMEOUT_MS + WAIT_SLACK_MS + 2_000);
        }
        for (Client c : clients) {
            c.close();
        }
    }

    private void runLane(Client c, String lane) {
        int incarnation = 0;
        while (running) {
            if (!c.pace()) {
                continue;
            }
            String proc = lane + "." + incarnation;
            EventValue.Send send;
            Producer p = null;
            Future<SendResult> pending = null;
            RuntimeException sendError = null;
            // One producer's sends are invoked in the history in the order they reach the client, so the
            // checker can hold the idempotent producer to its per-partition order (send-reorder).
            synchronized (c) {
                AddMessage m = c.next();
                send = new EventValue.Send(m.id(), m.account(), m.amt());
                history.invoke(proc, send);
                try {
                    p = c.producer();
                    pending = p.send(topic, m.encodeKey(), m.encodeValue(),
                            List.of(Header.of(AddMessage.ID_HEADER, m.id())));
                } catch (RuntimeException e) {
                    sendError = e;
                }
            }
            try {
                if (sendError != null) {
                    throw sendError;
                }
                SendResult r = pending.get(DELIVERY_TIMEOUT_MS + WAIT_SLACK_MS, TimeUnit.MILLISECONDS);
                history.ok(proc, send.confirmed(r.partition(), r.offset()));
            } catch (ExecutionException e) {
                if (!failed(c, p, proc, send, e.getCause())) {
                    incarnation++;
                }
            } catch (TimeoutException e) {
                history.info(proc, send, "no answer within " + (DELIVERY_TIMEOUT_MS + WAIT_SLACK_MS) + " ms");
                incarnation++;
            } catch (InterruptedException e) {
                history.info(proc, send, "interrupted while waiting");
                return;
            } catch (RuntimeException e) {
                if (!failed(c, p, proc, send, e)) {
                    incarnation++;
                }
            }
        }
    }

    /** Records fail or info; returns true for fail (the process id stays usable). */
    private boolean failed(Client c, Producer p, String proc, EventValue.Send send, Throwable cause) {
        String error = cause.getClass().getSimpleName() + ": " + String.valueOf(cause.getMessage()).replace('\n', ' ');
        if (cause instanceof DefiniteFailureException) {
            history.fail(proc, send, error);
            if (cause instanceof FatalProducerException || cause instanceof ClientClosedException) {
                c.discard(p);
            }
            return true;
        }
        history.info(proc, send, error);
        return false;
    }

    /** One producer identity: its Producer (rebuilt after a fatal error), ids, pacing and seeded workload. */
    private static final class Client {
        private final String name;
        private final String bootstrap;
        private final VerifyConfig cfg;
        private final Random random;
        private final long intervalNs;
        private final AtomicLong nextSlotNs = new AtomicLong(System.nanoTime());
        private long counter;
        private Producer producer;

        Client(String name, String bootstrap, VerifyConfig cfg, Random random, long intervalNs) {
            this.name = name;
            this.bootstrap = bootstrap;
            this.cfg = cfg;
            this.random = random;
            this.intervalNs = intervalNs;
        }

        /** Waits for this producer's next send slot; false if the lane should re-check whether to stop. */
        boolean pace() {
            long now = System.nanoTime();
            long slot = nextSlotNs.getAndAdd(intervalNs);
            // Lanes blocked by a fault must not fire a burst afterwards: skip the missed slots.
            if (now - slot > 1_000_000_000L) {
                nextSlotNs.set(now + intervalNs);
                slot = now;
            }
            long waitNs = slot - now;
            if (waitNs > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.min(waitNs, 200_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return waitNs <= 200_000_000L;
        }

        synchronized AddMessage next() {
            counter++;
            String id = String.format("%s-%06d", name, counter);
            String account = String.format("a%02d", random.nextInt(cfg.accounts()));
            return new AddMessage(id, account, 1 + random.nextInt(100));
        }

        synchronized Producer producer() {
            if (producer == null) {
                producer = Producer.builder(bootstrap)
                        .clientId(name).name("verify-" + name)
                        .guarantee(switch (cfg.guarantee()) {
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
            return producer;
        }

        synchronized void discard(Producer p) {
            if (p != null && producer == p) {
                producer = null;
                closeQuietly(p);
            }
        }

        synchronized void close() {
            if (producer != null) {
                closeQuietly(producer);
                producer = null;
            }
        }

        private static void closeQuietly(Producer p) {
            try {
                p.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                System.err.println("verify: closing a producer failed: " + e);
            }
        }
    }

}
