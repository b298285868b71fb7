package io.semel.simulation;

import io.semel.log.AppendOutcome;
import io.semel.log.AppendRejectedException;
import io.semel.log.LogConfig;
import io.semel.log.Partition;
import io.semel.log.SimulatedStorage;
import io.semel.log.producer.ProducerRegistry;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.Produce;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The broker's write path as the real one runs it, minus threads and sockets: the real
 * {@link ProducerRegistry} and one real {@link Partition} (log + producer dedup state) per
 * partition, each over its own {@link SimulatedStorage}. PRODUCE and INIT_PRODUCER are answered
 * as {@code RequestDispatcher} answers them, and appends go through a group-commit round as in
 * {@code GroupCommitLog}: dedup check and write for every queued request, one force, and only then
 * the answers (fsync before confirm; duplicates too). A failed force fails the round's written
 * requests with STORAGE_ERROR and reopens the partition through recovery; the broker's own
 * TIMEOUT answer can leave before the round that appends the batch.
 *
 * <p>A crash ({@link #crash}) drops every queued request and unsent answer, rolls every storage
 * back to what was forced (tearing one unforced write at a random byte), and {@link #start}
 * recovers from that.
 */
final class SimBroker {
    static final String TOPIC = "t";

    /** A queued append and the producer epoch the broker knew when it arrived (as RequestDispatcher reads it). */
    private record Queued(RecordBatch batch, short epoch, Consumer<Produce.Response> reply) {
    }

    private final Scheduler scheduler;
    private final SimClock clock;
    private final SplittableRandom random;
    private final SimConfig config;
    private final SimulatedStorage registryStorage = new SimulatedStorage();
    private final SimulatedStorage[] storages;
    private final List<List<Queued>> queues = new ArrayList<>();
    private final boolean[] roundScheduled;
    private ProducerRegistry registry;
    private Partition[] partitions;
    private boolean up;
    /** Bumped by every crash: work scheduled before it is void. */
    private long generation;
    private long crashes;
    private long storageFailures;
    private long tornBytes;

    SimBroker(Scheduler scheduler, SimClock clock, SplittableRandom random, SimConfig config) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.random = random;
        this.config = config;
        this.storages = new SimulatedStorage[config.partitions()];
        this.roundScheduled = new boolean[config.partitions()];
        for (int p = 0; p < config.partitions(); p++) {
            storages[p] = new SimulatedStorage();
            queues.add(new ArrayList<>());
        }
    }

    boolean up() {
        return up;
    }

    long generation() {
        return generation;
    }

    long crashes() {
        return crashes;
    }

    long storageFailures() {
        return storageFailures;
    }

    long tornBytes() {
        return tornBytes;
    }

    private LogConfig logConfig() {
        return LogConfig.builder().segmentBytes(config.segmentBytes()).build();
    }

    /** Opens (recovers) the registry and every partition. */
    void start() {
        try {
            registry = ProducerRegistry.open(registryStorage, ProducerRegistry.PRODUCERS_MAX_DEFAULT);
            partitions = new Partition[config.partitions()];
            for (int p = 0; p < partitions.length; p++) {
                partitions[p] = Partition.open(storages[p], logConfig(), config.producersMaxPerPartition(), clock);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("recovery failed after a simulated crash", e);
        }
        up = true;
    }

    /** Power loss: unforced bytes go, one unforced write per storage is torn. */
    void crash() {
        up = false;
        generation++;
        crashes++;
        for (List<Queued> q : queues) {
            q.clear();
        }
        java.util.Arrays.fill(roundScheduled, false);
        registryStorage.crash(random.nextLong());
        for (SimulatedStorage s : storages) {
            Optional<SimulatedStorage.TornWrite> torn = s.crash(random.nextLong());
            torn.ifPresent(t -> tornBytes += t.keptBytes());
        }
        registry = null;
        partitions = null;
    }

    /** PRODUCE, as RequestDispatcher.produce: queued for the partition's next round. */
    void produce(Produce.Request r, Consumer<ApiResponse> reply) {
        if (r.partition() < 0 || r.partition() >= config.partitions()) {
            reply.accept(Produce.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no partition " + r.partition()));
            return;
        }
        boolean[] answered = new boolean[1];
        Consumer<Produce.Response> once = resp -> {
            if (!answered[0]) {
                answered[0] = true;
                reply.accept(resp);
            }
        };
        short epoch = r.batch().hasProducer() ? registry.currentEpoch(r.batch().producerId())
                : RecordBatch.NO_PRODUCER_EPOCH;
        queues.get(r.partition()).add(new Queued(r.batch(), epoch, once));
        if (r.timeoutMs() > 0) {
            long gen = generation;
            // The append may still happen after this answer: TIMEOUT means "outcome unknown".
            scheduler.after(r.timeoutMs() * 1_000_000L, () -> {
                if (gen == generation) {
                    once.accept(Produce.Response.error(ErrorCode.TIMEOUT, "batch not durable within "
                            + r.timeoutMs() + " ms (timeoutMs); outcome unknown, retry with the same sequence"));
                }
            });
        }
        scheduleRound(r.partition());
    }

    private void scheduleRound(int p) {
        if (!roundScheduled[p]) {
            roundScheduled[p] = true;
            long gen = generation;
            scheduler.after(config.commitDelayNanos(random), () -> {
                if (gen == generation) {
                    writeRound(p);
                }
            });
        }
    }

    private record Written(Queued request, AppendOutcome outcome) {
    }

    /** First half of a round: dedup check and write; the force follows after the disk's latency. */
    private void writeRound(int p) {
        roundScheduled[p] = false;
        List<Queued> round = new ArrayList<>(queues.get(p));
        queues.get(p).clear();
        List<Written> done = new ArrayList<>();
        for (Queued q : round) {
            try {
                done.add(new Written(q, partitions[p].append(q.batch(), q.epoch())));
            } catch (AppendRejectedException e) {
                q.reply().accept(Produce.Response.error(e.errorCode(), e.getMessage())); // nothing written
            } catch (IOException e) {
                throw new UncheckedIOException("simulated storage failed outside a planned fault", e);
            }
        }
        if (done.isEmpty()) {
            return;
        }
        long gen = generation;
        scheduler.after(config.forceDelayNanos(random), () -> {
            if (gen == generation) {
                forceRound(p, done);
            }
        });
    }

    private void forceRound(int p, List<Written> done) {
        // Armed only when this flush will force (unforced bytes): an unused failure would hit recovery.
        if (random.nextDouble() < config.storageFailureRate && partitions[p].flushedOffset() < partitions[p].nextOffset()) {
            storages[p].failNextForce(new IOException("simulated fsync failure"));
        }
        try {
            partitions[p].flush();
        } catch (IOException e) {
            storageFailures++;
            // As GroupCommitLog.failRound: written but not confirmed, outcome unknown (ErrorMapping:
            // STORAGE_ERROR); the partition is closed and reopened through recovery.
            for (Written w : done) {
                w.request().reply().accept(Produce.Response.error(ErrorCode.STORAGE_ERROR, "produce to " + TOPIC + "-"
                        + p + ": storage failure (" + e.getMessage() + "); outcome unknown, retry the same request"));
            }
            reopen(p);
            return;
        }
        for (Written w : done) {
            AppendOutcome o = w.outcome();
            w.request().reply().accept(new Produce.Response(ErrorCode.NONE, null, o.baseOffset(), o.lastOffset(),
                    o.duplicate()));
        }
    }

    private void reopen(int p) {
        try {
            partitions[p].close();
        } catch (IOException | RuntimeException e) {
            // as GroupCommitLog.reopenAfterFailure: ignored, recovery decides what the disk holds
        }
        try {
            partitions[p] = Partition.open(storages[p], logConfig(), config.producersMaxPerPartition(), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("reopen after a storage failure failed", e);
        }
    }

    /** INIT_PRODUCER, as ProducerRequests.initProducer; sequences are read after queued appends are durable. */
    InitProducer.Response initProducer(InitProducer.Request r) {
        if (!r.topic().equals(TOPIC)) {
            return InitProducer.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + r.topic());
        }
        long id;
        short epoch;
        try {
            ProducerRegistry.InitResult init = r.newInstance()
                    ? registry.initProducer(r.producerName(), r.instanceToken())
                    : registry.join(r.producerName(), r.currentEpoch());
            id = init.producerId();
            epoch = init.epoch();
        } catch (AppendRejectedException e) {
            return InitProducer.Response.error(e.errorCode(), e.getMessage()); // as ErrorMapping answers it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<InitProducer.PartitionSequence> seqs = new ArrayList<>();
        for (int p = 0; p < partitions.length; p++) {
            // The real INIT reads each partition behind the appends queued before it: write them first.
            if (!queues.get(p).isEmpty()) {
                writeRound(p);
            }
            seqs.add(new InitProducer.PartitionSequence(p, durableHighestSequence(p, id)));
        }
        return new InitProducer.Response(ErrorCode.NONE, null, id, epoch, seqs);
    }

    private long durableHighestSequence(int p, long producerId) {
        try {
            partitions[p].flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return partitions[p].highestSequence(producerId);
    }

    long nextOffset(int p) {
        return partitions[p].nextOffset();
    }

    /** Every batch of partition {@code p} holding offsets from {@code fromOffset} on; for the checker. */
    List<RecordBatch> readFrom(int p, long fromOffset) {
        List<RecordBatch> out = new ArrayList<>();
        try {
            long next = Math.max(fromOffset, partitions[p].startOffset());
            while (next < partitions[p].nextOffset()) {
                List<RecordBatch> read = partitions[p].read(next, 1 << 20);
                if (read.isEmpty()) {
                    break;
                }
                out.addAll(read);
                next = read.get(read.size() - 1).nextOffset();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
