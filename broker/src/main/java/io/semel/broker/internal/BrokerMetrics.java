package io.semel.broker.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.semel.log.GroupCommitLog;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The broker's meters (names and meanings in docs/operations.md). Request meters are updated on
 * the event loops, log meters on the partition writers ({@link GroupCommitLog.RoundListener});
 * per-partition and per-group gauges are computed on demand by {@link #refresh()}, which the
 * metrics endpoint runs before each scrape. Thread-safe: Micrometer meters, a concurrent map of
 * meters, and {@link #refresh()} is called by one thread at a time (the endpoint's).
 */
public final class BrokerMetrics implements GroupCommitLog.RoundListener {
    /** How long a scrape waits for the group coordinator's progress snapshot before serving old values. */
    static final long GROUP_PROGRESS_WAIT_MS = 2_000;

    private final MeterRegistry registry;
    private final Map<ApiKey, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    /** Whether the answered-ahead counter is registered (on the first refresh with a coordinator). Scrape thread. */
    private boolean answeredAheadMeter;
    private final Counter producedRecords;
    private final Counter producedBytes;
    private final Counter fetchedRecords;
    private final Counter fetchedBytes;
    private final Counter refusedConnections;
    private final Timer fsync;
    private final DistributionSummary roundAppends;
    private final DistributionSummary roundBytes;
    private final MultiGauge endOffsets;
    private final MultiGauge groupLag;
    private final MultiGauge groupPending;
    private final MultiGauge groupInFlight;
    /** Keys of the dead-letter counters registered so far; refresh thread only. */
    private final Set<String> deadLetterMeters = new HashSet<>();

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        producedRecords = Counter.builder("semel.broker.produce.records").description("records received in PRODUCE")
                .register(registry);
        producedBytes = Counter.builder("semel.broker.produce.bytes").baseUnit("bytes")
                .description("record-batch bytes received in PRODUCE").register(registry);
        fetchedRecords = Counter.builder("semel.broker.fetch.records").description("records answered to FETCH")
                .register(registry);
        fetchedBytes = Counter.builder("semel.broker.fetch.bytes").baseUnit("bytes")
                .description("record-batch bytes answered to FETCH").register(registry);
        refusedConnections = Counter.builder("semel.broker.connections.refused")
                .description("connections closed at accept because maxConnections were open").register(registry);
        fsync = Timer.builder("semel.log.fsync").description("time of one group-commit force (fsync)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        roundAppends = DistributionSummary.builder("semel.log.round.appends")
                .description("appends made durable by one force (group-commit batch size)").register(registry);
        roundBytes = DistributionSummary.builder("semel.log.round.bytes").baseUnit("bytes")
                .description("bytes made durable by one force").register(registry);
        endOffsets = MultiGauge.builder("semel.partition.end.offset")
                .description("next offset of the partition's log (its end)").register(registry);
        groupLag = MultiGauge.builder("semel.group.lag").baseUnit("messages")
                .description("messages of the partition the group has not settled (acked or dead-lettered)")
                .register(registry);
        groupPending = MultiGauge.builder("semel.group.pending").baseUnit("messages")
                .description("messages of the partition never delivered to the group").register(registry);
        groupInFlight = MultiGauge.builder("semel.group.in.flight").baseUnit("messages")
                .description("deliveries not settled: awaiting ack, due for redelivery or for the dead-letter topic")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Gauges read at scrape time from the server's counters. */
    public void bindServer(IntSupplier openConnections, IntSupplier inFlightRequests) {
        Gauge.builder("semel.broker.connections", openConnections::getAsInt).description("open client connections")
                .register(registry);
        Gauge.builder("semel.broker.requests.in.flight", inFlightRequests::getAsInt)
                .description("requests taken and not yet answered").register(registry);
    }

    /** A PRODUCE arrived (counted whatever its outcome). Event loop. */
    public void produceReceived(int records, int bytes) {
        producedRecords.increment(records);
        producedBytes.increment(bytes);
    }

    public void connectionRefused() {
        refusedConnections.increment();
    }

    /** An answer is about to be written; {@code nanos} since its request was read. Event loop. */
    public void answered(ApiKey key, ApiResponse response, long nanos) {
        if (key == null) {
            return;
        }
        requestTimers.computeIfAbsent(key, k -> Timer.builder("semel.broker.requests").tag("api", k.name())
                .description("time from reading a request to writing its answer")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        ErrorCode code = response.error();
        if (code != ErrorCode.NONE) {
            errors.computeIfAbsent(key.name() + "/" + code.name(), k -> Counter.builder("semel.broker.errors")
                    .tag("api", key.name()).tag("code", code.name())
                    .description("answers carrying an error code").register(registry)).increment();
        }
        if (response instanceof Fetch.Response fetch) {
            for (RecordBatch b : fetch.batches()) {
                fetchedRecords.increment(b.recordCount());
                fetchedBytes.increment(b.sizeInBytes());
            }
        }
    }

    @Override
    public void round(int appends, long bytes, long forceNanos) {
        roundAppends.record(appends);
        roundBytes.record(bytes);
        if (forceNanos > 0) {
            fsync.record(forceNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Updates the per-partition and per-group gauges; called before each scrape.
     *
     * @param coordinator null when the broker runs without the built-in coordinator
     */
    public void refresh(TopicManager topics, GroupCoordinator coordinator) {
        Map<String, Long> ends = new HashMap<>();
        List<MultiGauge.Row<?>> endRows = new ArrayList<>();
        for (Topic t : topics.list()) {
            List<GroupCommitLog> parts = t.partitions();
            for (int p = 0; p < parts.size(); p++) {
                long end = parts.get(p).endOffset();
                ends.put(t.name() + "/" + p, end);
                endRows.add(MultiGauge.Row.of(Tags.of("topic", t.name(), "partition", Integer.toString(p)), end));
            }
        }
        endOffsets.register(endRows, true);
        if (coordinator != null) {
            refreshGroups(coordinator, ends);
        }
    }

    private void refreshGroups(GroupCoordinator coordinator, Map<String, Long> ends) {
        List<GroupCoordinator.PartitionProgress> progress;
        try {
            progress = coordinator.progress().get(GROUP_PROGRESS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            return; // a busy coordinator: keep the previous values
        }
        List<MultiGauge.Row<?>> lag = new ArrayList<>();
        List<MultiGauge.Row<?>> pending = new ArrayList<>();
        List<MultiGauge.Row<?>> inFlight = new ArrayList<>();
        for (GroupCoordinator.PartitionProgress g : progress) {
            Long end = ends.get(g.topic() + "/" + g.partition());
            if (end == null) {
                continue; // the topic is gone
            }
            Tags tags = Tags.of("group", g.group(), "topic", g.topic(), "partition", Integer.toString(g.partition()));
            lag.add(MultiGauge.Row.of(tags, Math.max(0, end - g.ackFloor() - g.settledAboveFloor())));
            pending.add(MultiGauge.Row.of(tags, Math.max(0, end - g.nextOffset())));
            inFlight.add(MultiGauge.Row.of(tags, g.inFlight()));
        }
        if (!answeredAheadMeter) {
            answeredAheadMeter = true;
            FunctionCounter.builder("semel.group.polls.answered.ahead", coordinator, GroupCoordinator::pollsAnsweredAhead)
                    .description("polls answered before their group-log records were durable (below the delivery "
                            + "horizon) since the broker started")
                    .register(registry);
        }
        groupLag.register(lag, true);
        groupPending.register(pending, true);
        groupInFlight.register(inFlight, true);
        coordinator.deadLetterCounters().forEach((key, count) -> {
            if (deadLetterMeters.add(key)) {
                // Reads the coordinator's counter at each scrape; the coordinator holds it as long as the broker runs.
                String[] groupTopic = key.split("\u0000", 2);
                FunctionCounter.builder("semel.group.dead.letters", count, LongAdder::sum)
                        .tags("group", groupTopic[0], "topic", groupTopic[1])
                        .description("messages the group moved to <topic>.dlq since the broker started")
                        .register(registry);
            }
        });
    }
}
