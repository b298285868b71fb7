package io.semel.broker.internal;

import io.semel.log.GroupCommitLog;
import io.semel.log.Partition;
import io.semel.log.producer.ProducerRegistry;
import io.semel.log.producer.ProducerStateTable;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.InitProducer;
import io.semel.protocol.ListProducers;
import io.semel.protocol.ReleaseProducer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-identity requests: INIT_PRODUCER, RELEASE_PRODUCER, LIST_PRODUCERS, and the idle
 * expiry pass. Registry work runs on the admin executor (the registry holds its monitor across an
 * fsync); partition state is read and dropped through each partition's writer ({@link GroupCommitLog#call}).
 * Returns futures at once; never blocks the caller. Thread-safe.
 */
public final class ProducerRequests {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerRequests.class);
    /** At most one WARN line per refusal code in this interval; the others are counted into the next. */
    public static final long INIT_REFUSAL_WARN_INTERVAL_MS = 10_000;

    private final TopicManager topics;
    private final ProducerRegistry registry;
    private final ExecutorService admin;
    private final ErrorMapping errors;
    private final RateLimitedWarning refusals;

    public ProducerRequests(TopicManager topics, ProducerRegistry registry, ExecutorService admin, ErrorMapping errors,
            LongSupplier monotonicMs) {
        this.topics = topics;
        this.registry = registry;
        this.admin = admin;
        this.errors = errors;
        this.refusals = new RateLimitedWarning(LOG, INIT_REFUSAL_WARN_INTERVAL_MS, monotonicMs);
    }

    public CompletableFuture<ApiResponse> initProducer(InitProducer.Request r) {
        Topic t = topics.topic(r.topic());
        if (t == null) {
            return CompletableFuture.completedFuture(InitProducer.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "topic " + r.topic() + " does not exist; create it first"));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                if (!r.newInstance()) {
                    // An instance holding an epoch joins another topic: no bump, its batches elsewhere stay valid.
                    return registry.join(r.producerName(), r.currentEpoch());
                }
                return registry.initProducer(r.producerName(), r.instanceToken());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalStateException e) {
                throw new RequestException(ErrorCode.INVALID_REQUEST, e.getMessage()); // epoch exhausted
            }
        }, admin).thenCompose(init -> {
            List<CompletableFuture<InitProducer.PartitionSequence>> seqs = new ArrayList<>();
            for (int p = 0; p < t.partitionCount(); p++) {
                int partition = p;
                // Runs after the appends queued before it are durable: a persisted sequence.
                seqs.add(t.partition(p).call((Partition log) ->
                        new InitProducer.PartitionSequence(partition, log.highestSequence(init.producerId()))));
            }
            return allOf(seqs).<ApiResponse>thenApply(list -> new InitProducer.Response(ErrorCode.NONE, null,
                    init.producerId(), init.epoch(), list));
        }).exceptionally(e -> {
            ApiResponse answer = errors.toResponse(r.apiKey(), e, "init producer " + r.producerName());
            warnRefusal(r, answer);
            return answer;
        });
    }

    /** A refused INIT is the producer's only sign of trouble; the operator needs one line too (issue 11 #2). */
    private void warnRefusal(InitProducer.Request r, ApiResponse answer) {
        ErrorCode code = answer.error();
        if (code == ErrorCode.TOO_MANY_PRODUCERS || code == ErrorCode.STORAGE_ERROR || code == ErrorCode.INVALID_REQUEST
                || code == ErrorCode.NOT_ENOUGH_SPACE) {
            refusals.warn(code.name(), "refused INIT_PRODUCER of '" + r.producerName() + "' for topic " + r.topic()
                    + ": " + code + ": " + answer.errorMessage());
        }
    }

    /** RELEASE_PRODUCER: removes the registration, then drops the producer's state in every partition. */
    public CompletableFuture<ApiResponse> releaseProducer(ReleaseProducer.Request r) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return registry.release(r.producerName(), r.producerEpoch());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, admin).<ApiResponse>thenApply(released -> {
            if (released.outcome() == ProducerRegistry.ReleaseOutcome.RELEASED) {
                LOG.info("producer '{}' (id {}) released{}", r.producerName(), released.producerId(),
                        r.producerEpoch() < 0 ? " by an operator" : " by its instance at epoch " + r.producerEpoch());
                forgetEverywhere(List.of(released.producerId()));
            }
            return new ReleaseProducer.Response(ErrorCode.NONE, null,
                    ReleaseProducer.Outcome.valueOf(released.outcome().name()), released.producerId());
        }).exceptionally(e -> errors.toResponse(r.apiKey(), e, "release producer " + r.producerName()));
    }

    /**
     * The idle expiry pass (admin thread): expires registrations idle for {@code idleExpiryMs},
     * persists activity times, and drops the partition state of the producers that expired.
     */
    public void expireIdle(long idleExpiryMs) {
        List<Long> gone;
        try {
            // The broker's own DLQ producers resume sequences from the group log: their state must stay.
            gone = registry.expireIdle(idleExpiryMs, name -> !name.startsWith(DeadLetterCopier.PRODUCER_PREFIX));
        } catch (IOException | RuntimeException e) {
            LOG.warn("producer expiry pass failed (retried at the next pass): {}", e.toString());
            return;
        }
        if (!gone.isEmpty()) {
            LOG.info("{} producers expired or were purged after being idle for producerIdleExpiryMs={}: ids {}",
                    gone.size(), idleExpiryMs, gone.size() > 20 ? gone.subList(0, 20) + "..." : gone);
            forgetEverywhere(gone);
        }
    }

    private void forgetEverywhere(Collection<Long> ids) {
        for (Topic t : topics.list()) {
            for (GroupCommitLog log : t.partitions()) {
                log.call(p -> {
                    ids.forEach(p::forgetProducer);
                    return null;
                }).whenComplete((ok, e) -> {
                    if (e != null) {
                        // Only memory: the registry already refuses these ids.
                        LOG.warn("dropping producer state of {} in {} failed: {}", ids, t.name(), e.toString());
                    }
                });
            }
        }
    }

    /** LIST_PRODUCERS: registry entries matching the prefix, with their dedup state per partition. */
    public CompletableFuture<ApiResponse> listProducers(ListProducers.Request r) {
        // The registry's monitor can be held across an fsync: read it on the admin thread, never an event loop.
        return CompletableFuture.supplyAsync(registry::entries, admin)
                .thenCompose(entries -> listWithStates(r, entries))
                .exceptionally(e -> errors.toResponse(r.apiKey(), e, "list producers"));
    }

    private CompletableFuture<ApiResponse> listWithStates(ListProducers.Request r, List<ProducerRegistry.Entry> all) {
        List<ProducerRegistry.Entry> matching = all.stream().filter(e -> e.name().startsWith(r.namePrefix())).toList();
        List<ProducerRegistry.Entry> shown = matching.subList(0, Math.min(r.limit(), matching.size()));
        Map<Long, List<ListProducers.PartitionState>> states = new HashMap<>();
        shown.forEach(e -> states.put(e.producerId(), new ArrayList<>()));
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        for (Topic t : topics.list()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                int partition = p;
                reads.add(t.partition(p).call(Partition::producerSummaries).thenAccept(list -> {
                    synchronized (states) {
                        for (ProducerStateTable.ProducerSummary s : list) {
                            List<ListProducers.PartitionState> out = states.get(s.producerId());
                            if (out != null) {
                                out.add(new ListProducers.PartitionState(t.name(), partition, s.highestSequence(),
                                        s.lastTimestampMs()));
                            }
                        }
                    }
                }));
            }
        }
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).<ApiResponse>thenApply(v -> {
            List<ListProducers.Producer> out = new ArrayList<>();
            synchronized (states) {
                for (ProducerRegistry.Entry e : shown) {
                    List<ListProducers.PartitionState> parts = new ArrayList<>(states.get(e.producerId()));
                    parts.sort(java.util.Comparator.comparing(ListProducers.PartitionState::topic)
                            .thenComparingInt(ListProducers.PartitionState::partition));
                    out.add(new ListProducers.Producer(e.producerId(), e.name(), e.epoch(), e.lastActiveMs(),
                            e.expired(), parts));
                }
            }
            return new ListProducers.Response(ErrorCode.NONE, null, matching.size(), out);
        });
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }
}
