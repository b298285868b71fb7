package io.semel.simulation;

import io.semel.client.DeliveryGuarantee;
import io.semel.client.FatalProducerException;
import io.semel.client.OutcomeUnknownException;
import io.semel.client.SemelException;
import io.semel.client.SendResult;
import io.semel.client.internal.BatchOutcomes;
import io.semel.client.internal.ConnectionSettings;
import io.semel.client.internal.PendingRecord;
import io.semel.client.internal.ProducerBatch;
import io.semel.client.internal.ProducerConfig;
import io.semel.client.internal.ProducerSession;
import io.semel.client.internal.RecordAccumulator;
import io.semel.client.internal.SendEngine;
import io.semel.client.internal.TopicPartition;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One exactly-once producer: the client's real {@link RecordAccumulator}, {@link ProducerSession},
 * {@link SendEngine} and {@link BatchOutcomes}, driven as the {@code Sender} thread drives them
 * (INIT_PRODUCER first, then collect, send, hand every answer back, complete futures), but from
 * scheduler events over a {@link SimLink} instead of a thread over a socket.
 */
final class SimProducer {
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final int index;
    private final Scheduler scheduler;
    private final SimClock clock;
    private final SimConfig config;
    private SimLink link;
    private final SplittableRandom random;
    private final SimBroker broker;
    private final SimHistory history;
    private final SimStats stats;
    private final ProducerConfig cfg;
    // ---- one producer instance; a restart replaces all of these (same name: a new epoch)
    private ProducerSession session;
    private BatchOutcomes outcomes;
    private RecordAccumulator accumulator;
    private SendEngine engine;
    private long restarts;
    private boolean initInFlight;
    private long tickAt = Long.MAX_VALUE;
    private long nextRecord;
    private int outstanding;
    private FatalProducerException stopped;
    private boolean sending = true;

    SimProducer(int index, Scheduler scheduler, SimClock clock, SimConfig config, SimBroker broker,
            SplittableRandom random, SimHistory history, SimStats stats) {
        this.index = index;
        this.scheduler = scheduler;
        this.clock = clock;
        this.config = config;
        this.broker = broker;
        this.random = random;
        this.history = history;
        this.stats = stats;
        ConnectionSettings cs = new ConnectionSettings("simulated", 1, "sim-" + index, io.semel.client.ClientSecurity.NONE,
                config.requestTimeoutMs, 1_000, 10, 100);
        this.cfg = new ProducerConfig(cs, "sim-producer-" + index, false, DeliveryGuarantee.EXACTLY_ONCE,
                config.batchBytesMax, config.lingerMs, config.inFlightBatchesMax, 100_000, 0, config.retryBackoffMs,
                config.retryBackoffMaxMs, config.deliveryTimeoutMs);
        newInstance();
    }

    private void newInstance() {
        link = new SimLink(scheduler, broker, config, random.split(), stats);
        long token = random.nextLong();
        session = new ProducerSession(cfg.name(), token == 0 ? 1 : token); // seeded: replayable
        outcomes = new BatchOutcomes(cfg.name());
        accumulator = new RecordAccumulator(cfg, outcomes::fail);
        engine = new SendEngine(cfg, session, outcomes, clock, e -> { });
        initInFlight = false;
    }

    long restarts() {
        return restarts;
    }

    void brokerCrashed() {
        link.brokerCrashed();
    }

    /**
     * The application closes this producer at once and builds a new one with the same name, as after
     * a process restart: unsent records fail, sent-but-unconfirmed ones become unknown, and the new
     * instance's INIT_PRODUCER bumps the epoch, fencing every copy the old one left in the network.
     */
    void restart() {
        if (stopped != null) {
            return;
        }
        restarts++;
        stats.producerRestarts++;
        io.semel.client.ClientClosedException closed = new io.semel.client.ClientClosedException(
                "producer '" + cfg.name() + "' closed (simulated restart) before this was sent");
        accumulator.drainAll().forEach(r -> outcomes.fail(r, closed));
        engine.abortAll(closed);
        runCompletions();
        newInstance();
        tickAt = Long.MAX_VALUE;
        tickSoon(clock.nanoTime());
    }

    FatalProducerException stopped() {
        return stopped;
    }

    int outstanding() {
        return outstanding;
    }

    void stopSending() {
        sending = false;
    }

    /** The application's next send, then the one after it (a Poisson stream). */
    void sendLoop() {
        if (!sending) {
            return;
        }
        if (stopped == null && outstanding < config.outstandingRecordsMax) {
            sendOne();
        }
        long gapNanos = (long) (-Math.log(1 - random.nextDouble()) / config.sendsPerMs * 1_000_000);
        scheduler.after(gapNanos, this::sendLoop);
    }

    private void sendOne() {
        String id = "p" + index + "-" + nextRecord++;
        int partition = random.nextInt(config.partitions);
        PendingRecord rec = PendingRecord.of(null, id.getBytes(StandardCharsets.UTF_8), List.of(), -1, clock.nanoTime());
        outstanding++;
        stats.sends++;
        history.sent(id);
        CompletableFuture<SendResult> f = rec.future();
        f.whenComplete((r, e) -> settled(id, r, e));
        accumulator.add(new TopicPartition(SimBroker.TOPIC, partition), rec);
        tickSoon(clock.nanoTime());
    }

    private void settled(String id, SendResult r, Throwable e) {
        outstanding--;
        if (e == null) {
            stats.confirmed++;
            history.confirmed(id, r.partition(), r.offset(), scheduler.steps());
        } else if (e instanceof OutcomeUnknownException) {
            stats.unknown++;
            history.unknown(id);
        } else {
            stats.failed++;
            history.failed(id, scheduler.steps(), e.getMessage());
        }
    }

    private void tickSoon(long atNanos) {
        if (atNanos < tickAt) {
            tickAt = atNanos;
            scheduler.after(atNanos - clock.nanoTime(), () -> {
                if (tickAt == atNanos) {
                    tickAt = Long.MAX_VALUE;
                    tick();
                }
            });
        }
    }

    /** One turn of the Sender loop. */
    private void tick() {
        long now = clock.nanoTime();
        if (engine.fatal() != null) {
            if (stopped == null) {
                stopped = engine.fatal();
                stats.producerStops++;
            }
            accumulator.drainAll().forEach(r -> outcomes.fail(r, stopped));
            engine.abortAll(stopped);
            runCompletions();
            return;
        }
        if (!session.joined(SimBroker.TOPIC)) {
            engine.expire(accumulator); // as the Sender: nothing is sent until the join, but deadlines pass
            join(now);
        } else {
            SendEngine instance = engine; // answers go to the instance that sent, even after a restart
            for (ProducerBatch b : engine.collect(accumulator, !sending, RecordBatch.BATCH_BYTES_LIMIT)) {
                Produce.Request req = engine.request(b, config.requestTimeoutMs);
                if (req != null) {
                    link.send(req, (resp, err) -> {
                        instance.onAnswer(b, (Produce.Response) resp, err);
                        if (instance == engine) {
                            tickSoon(clock.nanoTime());
                        }
                    });
                }
            }
        }
        runCompletions();
        long wake = session.joined(SimBroker.TOPIC) ? engine.nextWakeNanos(accumulator, now, IDLE_NANOS)
                : now + TimeUnit.MILLISECONDS.toNanos(cfg.retryBackoffMs());
        tickSoon(Math.max(wake, now + 1_000));
    }

    /** INIT_PRODUCER as the Sender runs it: only with nothing in flight; a retriable failure waits. */
    private void join(long now) {
        if (initInFlight || accumulator.isEmpty() || engine.inFlightTotal() > 0
                || session.nextToJoin(List.of(SimBroker.TOPIC), now) == null) {
            return;
        }
        initInFlight = true;
        ProducerSession instance = session;
        link.send(session.request(SimBroker.TOPIC), (resp, err) -> {
            if (instance != session) {
                return; // the instance that asked was closed meanwhile
            }
            initInFlight = false;
            InitProducer.Response r = (InitProducer.Response) resp;
            SemelException failure = err;
            if (failure == null && r.error() != ErrorCode.NONE) {
                failure = new io.semel.client.DefiniteFailureException(r.error(), "INIT_PRODUCER refused: "
                        + r.errorMessage());
            }
            if (failure == null) {
                session.joined(SimBroker.TOPIC, r);
            } else if (failure.retriable()) {
                session.retryAt(SimBroker.TOPIC, clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cfg.retryBackoffMs()));
            } else {
                throw new IllegalStateException("INIT_PRODUCER failed for good in the simulation: " + failure.getMessage());
            }
            tickSoon(clock.nanoTime());
        });
    }

    private void runCompletions() {
        outcomes.takeCompletedRecords();
        for (Runnable r : outcomes.take()) {
            r.run();
        }
    }
}
