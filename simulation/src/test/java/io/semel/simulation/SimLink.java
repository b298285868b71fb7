package io.semel.simulation;

import io.semel.client.DefiniteFailureException;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.SemelException;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.Produce;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * One producer's connection to the broker through a faulty network, with the semantics of the
 * client's {@code BrokerChannel}/{@code Connection}: requests on a connection reach the broker in
 * order; a lost request or reply, a request timeout or a broker crash cuts the connection, and every
 * unanswered request on it fails as outcome unknown; a send while the broker is down fails at once,
 * retriably, with nothing sent. Faults: dropped requests (which may still arrive later, after the
 * client moved to a new connection), dropped replies, latency spikes, and stale replays of a
 * PRODUCE on another connection (their answers go nowhere).
 */
final class SimLink {
    private record Pending(long serial, int connection, BiConsumer<ApiResponse, SemelException> callback) {
    }

    private final Scheduler scheduler;
    private final SimBroker broker;
    private final SimConfig config;
    private final SplittableRandom random;
    private final SimStats stats;
    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    /**
     * Connections on which a request or a reply was lost: TCP delivers nothing after a lost
     * segment, so nothing later on such a connection reaches the other side either.
     */
    private final java.util.Set<Integer> broken = new java.util.HashSet<>();
    private int connection;
    private boolean open;
    private long openedInGeneration;
    private long lastDeliveryAt;
    private long serial;

    SimLink(Scheduler scheduler, SimBroker broker, SimConfig config, SplittableRandom random, SimStats stats) {
        this.scheduler = scheduler;
        this.broker = broker;
        this.config = config;
        this.random = random;
        this.stats = stats;
    }

    void send(ApiRequest req, BiConsumer<ApiResponse, SemelException> callback) {
        if (!open) {
            if (!broker.up()) {
                scheduler.after(0, () -> callback.accept(null, new DefiniteFailureException(ErrorCode.NONE, true,
                        "broker unavailable (simulated crash); nothing was sent", null)));
                return;
            }
            connection++;
            open = true;
            openedInGeneration = broker.generation();
            lastDeliveryAt = scheduler.now();
        }
        long id = serial++;
        int conn = connection;
        pending.put(id, new Pending(id, conn, callback));
        scheduler.after(config.requestTimeoutMs * 1_000_000L, () -> {
            if (pending.containsKey(id)) {
                stats.requestTimeouts++;
                cut(conn, "PRODUCE got no answer within requestTimeoutMs " + config.requestTimeoutMs);
            }
        });
        long generation = broker.generation();
        if (broken.contains(conn)) {
            return; // behind a lost request: never delivered; the coming cut fails it as unknown
        }
        if (random.nextDouble() < config.requestDropRate) {
            stats.requestsDropped++;
            broken.add(conn);
            scheduler.after(config.latencyNanos(random), () -> cut(conn, "connection reset (request lost)"));
            if (random.nextDouble() < config.staleArrivalRate) {
                // The bytes were in the broker's socket buffer: processed after the client gave up on them.
                stats.staleArrivals++;
                scheduler.after(config.latencyNanos(random) + config.latencyNanos(random) * 10,
                        () -> deliver(req, generation, null));
            }
        } else {
            lastDeliveryAt = Math.max(lastDeliveryAt, scheduler.now() + config.latencyNanos(random));
            scheduler.after(lastDeliveryAt - scheduler.now(), () -> deliver(req, generation, resp -> reply(id, conn, resp)));
        }
        if (req instanceof Produce.Request && random.nextDouble() < config.replayRate) {
            stats.replays++;
            // A stale copy replayed on a fresh connection (a proxy, a retransmitting middlebox): any broker process.
            // Half of them soon (within 50 ms), half up to three delivery timeouts late: past the point
            // where its batch may have been given up.
            long lateNanos = random.nextBoolean() ? random.nextInt(50_000_000)
                    : (long) (random.nextDouble() * 3 * config.deliveryTimeoutMs * 1_000_000L);
            scheduler.after(config.latencyNanos(random) + lateNanos, () -> deliver(req, -1, null));
        }
    }

    /** The request reaches the broker process that was up when it was sent (or any, for a replay). */
    private void deliver(ApiRequest req, long sentInGeneration, java.util.function.Consumer<ApiResponse> reply) {
        if (!broker.up() || (sentInGeneration >= 0 && sentInGeneration != broker.generation())) {
            return; // that broker process is gone, and its connections with it
        }
        java.util.function.Consumer<ApiResponse> answer = reply != null ? reply : resp -> { };
        if (req instanceof Produce.Request p) {
            broker.produce(p, answer);
        } else if (req instanceof InitProducer.Request i) {
            answer.accept(broker.initProducer(i));
        } else {
            throw new IllegalArgumentException("the simulation does not route " + req.apiKey());
        }
    }

    private void reply(long id, int conn, ApiResponse resp) {
        if (broken.contains(conn)) {
            return; // behind a lost reply: never delivered
        }
        if (random.nextDouble() < config.replyDropRate) {
            stats.repliesDropped++;
            broken.add(conn);
            scheduler.after(config.latencyNanos(random), () -> cut(conn, "connection reset (reply lost)"));
            return;
        }
        scheduler.after(config.latencyNanos(random), () -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.callback().accept(resp, null);
            }
        });
    }

    /** The broker process died: its connections with it. */
    void brokerCrashed() {
        cut(connection, "broker closed the connection (crash)");
    }

    private void cut(int conn, String why) {
        if (conn == connection) {
            open = false;
        }
        List<Pending> failed = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext();) {
            Pending p = it.next();
            if (p.connection() == conn) {
                it.remove();
                failed.add(p);
            }
        }
        for (Pending p : failed) {
            scheduler.after(0, () -> p.callback().accept(null, new OutcomeUnknownException("request on simulated "
                    + "connection " + conn + " was sent but not answered: " + why)));
        }
    }
}
