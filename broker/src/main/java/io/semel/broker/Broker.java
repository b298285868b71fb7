package io.semel.broker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.semel.broker.internal.BrokerSecurity;
import io.semel.broker.group.GroupRegistry;
import io.semel.broker.internal.BrokerHealth;
import io.semel.broker.internal.BrokerMetrics;
import io.semel.broker.internal.ControlledClock;
import io.semel.broker.internal.ProducerRequests;
import io.semel.broker.internal.DeadLetterCopier;
import io.semel.broker.internal.ErrorMapping;
import io.semel.broker.internal.GroupCoordinator;
import io.semel.broker.internal.NettyServer;
import io.semel.broker.internal.RequestDispatcher;
import io.semel.broker.internal.Topic;
import io.semel.broker.internal.TopicManager;
import io.semel.log.FileStorage;
import io.semel.log.GroupCommitLog;
import io.semel.log.producer.ProducerRegistry;
import io.semel.metrics.MetricsEndpoint;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Semel broker: topics and producer state under {@link BrokerConfig#dataDir()}, served
 * over TCP. Layout of the data directory and connection behaviour: {@code docs/broker.md}.
 *
 * <p>{@link #close()} shuts down in this order: stop accepting; answer new requests
 * BROKER_SHUTTING_DOWN and end long-polls; wait up to {@code shutdownTimeoutMs} for in-flight
 * requests to be answered; close connections and event loops; stop the group coordinator (ticks
 * stop, pending group records become durable, the group log closes); close every partition (flush,
 * checkpoint, producer snapshot); release the data-directory lock. The producer registry needs no
 * close: each of its changes is durable when made.
 *
 * <p>Thread-safe: {@link #close()} is idempotent and may be called from any thread (for example a
 * shutdown hook), but never from a broker thread.
 */
public final class Broker implements Closeable {
    private static final long WALL_AT_LOAD_MS = System.currentTimeMillis();
    private static final long NANOS_AT_LOAD = System.nanoTime();
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    static final String LOCK_FILE = ".lock";
    static final String PRODUCERS_DIR = "producers";

    private final BrokerConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ScheduledExecutorService admin;
    private final TopicManager topics;
    private final GroupCoordinator coordinator; // null when the caller supplied GroupRequests
    private final ProducerRegistry registry;
    private final ErrorMapping errors;
    private final NettyServer server;
    private final InetSocketAddress address;
    private final Observability observability;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);

    private Broker(BrokerConfig config, FileChannel lockChannel, FileLock lock, ScheduledExecutorService admin,
            TopicManager topics, GroupCoordinator coordinator, ProducerRegistry registry, ErrorMapping errors,
            NettyServer server, InetSocketAddress address, Observability observability) {
        this.observability = observability;
        this.config = config;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.admin = admin;
        this.topics = topics;
        this.coordinator = coordinator;
        this.registry = registry;
        this.errors = errors;
        this.server = server;
        this.address = address;
    }

    /**
     * Recovers every topic and the consumer groups (group log under {@code dataDir/groups}) and
     * starts serving, with the built-in {@link GroupCoordinator}.
     */
    public static Broker start(BrokerConfig config) throws IOException {
        return open(config, null, null);
    }

    /**
     * As {@link #start(BrokerConfig)}, with the broker's meters also going to {@code meters} from
     * the start: it joins {@link #meterRegistry()} before any meter is registered, so it sees what
     * recovery and the first requests recorded. Adding a registry to {@link #meterRegistry()} after
     * the start misses those, and Micrometer warns about it.
     */
    public static Broker start(BrokerConfig config, MeterRegistry meters) throws IOException {
        return open(config, null, Objects.requireNonNull(meters, "meters"));
    }

    /**
     * Recovers every topic and starts serving, routing the group APIs to {@code groups}.
     *
     * @throws IOException if the data directory is locked by another broker, recovery fails or the
     *     port cannot be bound
     */
    public static Broker start(BrokerConfig config, GroupRequests groups) throws IOException {
        return open(config, Objects.requireNonNull(groups, "groups"), null);
    }

    /**
     * The broker's meters, health and (when {@code metricsPort} is set) the HTTP endpoint serving
     * them; the endpoint starts before recovery, so {@code /health/ready} can say the broker is not
     * ready yet. Meters go to a composite registry: with no registry in it (the endpoint off, none
     * added by an embedding application) every meter is a no-op, so a broker without metrics pays
     * nothing per request.
     */
    private record Observability(CompositeMeterRegistry registry, PrometheusMeterRegistry prometheus,
            BrokerMetrics metrics, BrokerHealth health, MetricsEndpoint endpoint) {
        /** @param meters an embedder's registry, or null */
        static Observability start(BrokerConfig config, MeterRegistry meters) throws IOException {
            CompositeMeterRegistry registry = new CompositeMeterRegistry();
            // Every registry joins before BrokerMetrics registers a meter: one added later sees no
            // recording made before it (and Micrometer warns).
            if (meters != null) {
                registry.add(meters);
            }
            PrometheusMeterRegistry prometheus = null;
            if (config.metricsPort() >= 0) {
                prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                registry.add(prometheus);
            }
            BrokerMetrics metrics = new BrokerMetrics(registry);
            BrokerHealth health = new BrokerHealth(metrics);
            MetricsEndpoint endpoint = prometheus == null ? null : MetricsEndpoint.start(config.host(),
                    config.metricsPort(), prometheus, List.of(health::refresh), health::health);
            return new Observability(registry, prometheus, metrics, health, endpoint);
        }

        void close() {
            health.stopping();
            if (endpoint != null) {
                endpoint.close();
            }
            registry.close();
        }
    }

    /**
     * @param groups null for the built-in coordinator
     * @param meters an embedder's registry, or null
     */
    private static Broker open(BrokerConfig config, GroupRequests groups, MeterRegistry meters) throws IOException {
        Objects.requireNonNull(config, "config");
        Files.createDirectories(config.dataDir());
        FileChannel lockChannel = FileChannel.open(config.dataDir().resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("data directory " + config.dataDir() + " is in use by another broker (could not "
                    + "lock " + LOCK_FILE + "); stop it or use another dataDir");
        }
        ScheduledExecutorService admin = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-admin");
            t.setDaemon(true);
            return t;
        });
        TopicManager topics = null;
        GroupCoordinator coordinator = null;
        Observability obs = null;
        try {
            obs = Observability.start(config, meters);
            obs.health().recovering();
            // The system clock, or in verify mode one whose wall time the harness jumps (ControlledClock).
            Clock clock = ControlledClock.systemOrControlled();
            ProducerRegistry registry = ProducerRegistry.open(new FileStorage(config.dataDir().resolve(PRODUCERS_DIR)),
                    config.producersMax(), clock);
            topics = TopicManager.open(config, clock, obs.metrics());
            obs.health().topics(topics);
            ErrorMapping errors = new ErrorMapping();
            if (groups == null) {
                coordinator = GroupCoordinator.start(config.dataDir(), config.logConfig().segmentBytes(),
                        config.groupLogCompactBytes(), topics,
                        deadLetterAdmin(topics, registry, admin), config.groupConfig(), config.groupTickMs(),
                        config.shutdownTimeoutMs(), clock, Broker::monotonicMs);
                groups = coordinator;
                obs.health().coordinator(coordinator);
            }
            ProducerRequests producers = new ProducerRequests(topics, registry, admin, errors, Broker::monotonicMs);
            RequestDispatcher dispatcher = new RequestDispatcher(config, topics, registry, admin, groups,
                    coordinator, errors, producers);
            // Security: TLS context, users and ACLs are loaded before the port opens; file changes are picked up on admin.
            BrokerSecurity security = BrokerSecurity.open(config.security(), config.dataDir(), new SecureRandom());
            admin.scheduleWithFixedDelay(security::reload, config.security().reloadIntervalMs(),
                    config.security().reloadIntervalMs(), TimeUnit.MILLISECONDS);
            NettyServer server = new NettyServer(config, dispatcher, errors, obs.metrics(), security);
            InetSocketAddress bound = server.start();
            obs.metrics().bindServer(server::openConnections, server::inFlight);
            Broker broker = new Broker(config, lockChannel, lock, admin, topics, coordinator, registry,
                    errors, server, bound, obs);
            broker.scheduleRetention();
            long every = config.producerExpiryCheckIntervalMs();
            admin.scheduleWithFixedDelay(() -> producers.expireIdle(config.producerIdleExpiryMs()), every, every,
                    TimeUnit.MILLISECONDS);
            obs.health().serving();
            LOG.info("broker {} serving {} topics on {}:{} ({})", config.brokerId(), topics.size(),
                    bound.getHostString(), bound.getPort(), config);
            return broker;
        } catch (IOException | RuntimeException e) {
            if (obs != null) {
                obs.close();
            }
            if (coordinator != null) {
                coordinator.close();
            }
            admin.shutdownNow();
            if (topics != null) {
                topics.close();
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** The coordinator's way to the producer registry and topic creation: both on the admin thread. */
    private static DeadLetterCopier.Admin deadLetterAdmin(TopicManager topics, ProducerRegistry registry,
            ScheduledExecutorService admin) {
        return new DeadLetterCopier.Admin() {
            @Override
            public CompletableFuture<ProducerRegistry.InitResult> initProducer(String name) {
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        return registry.initProducer(name);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, admin);
            }

            @Override
            public CompletableFuture<Void> ensureTopic(String name) {
                return CompletableFuture.runAsync(() -> {
                    if (topics.topic(name) == null) {
                        try {
                            topics.create(name, 1);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }, admin);
            }
        };
    }

    private void scheduleRetention() {
        long every = config.retentionCheckIntervalMs();
        admin.scheduleWithFixedDelay(() -> {
            for (Topic t : topics.list()) {
                for (GroupCommitLog log : t.partitions()) {
                    log.call(p -> p.applyRetention()).whenComplete((deleted, e) -> {
                        if (e != null) {
                            LOG.warn("retention of a partition of {} failed: {}", t.name(), e.toString());
                        } else if (deleted > 0) {
                            LOG.info("retention deleted {} segments of a partition of {}", deleted, t.name());
                        }
                    });
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return address.getPort();
    }

    /** The bound port of the metrics and health endpoint; -1 when {@code metricsPort} is off. */
    public int metricsPort() {
        return observability.endpoint() == null ? -1 : observability.endpoint().port();
    }

    /**
     * The broker's meters, for embedding applications: to publish them elsewhere, pass a registry of
     * your own to {@link #start(BrokerConfig, MeterRegistry)} (one added here after the start misses
     * what was recorded before; with {@code metricsPort} set, the endpoint's Prometheus registry is
     * already in it).
     * The per-partition and per-group gauges are updated before each scrape of the endpoint.
     */
    public CompositeMeterRegistry meterRegistry() {
        return observability.registry();
    }

    /** The host the broker listens on. */
    public String host() {
        return address.getHostString();
    }

    // ---- read-only views for tools running in the broker's process (the web console) ----------

    /** The configuration this broker runs with. */
    public BrokerConfig config() {
        return config;
    }

    /** Every topic (dead-letter topics included) with its partition count, by name. */
    public SortedMap<String, Integer> topicPartitionCounts() {
        SortedMap<String, Integer> out = new TreeMap<>();
        for (Topic t : topics.list()) {
            out.put(t.name(), t.partitionCount());
        }
        return out;
    }

    /** Every registered producer name with its id and current epoch. */
    public List<ProducerRegistry.Entry> producers() {
        return registry.entries();
    }

    /**
     * Runs {@code reader} on the partition's writer thread, after the appends queued before it are
     * durable, and completes with its result there. The reader must only read, and quickly (appends
     * wait behind it); callers must not do slow work in non-async continuations of the future.
     *
     * @throws IllegalArgumentException for an unknown topic or partition
     */
    public <T> CompletableFuture<T> readPartition(String topic, int partition, GroupCommitLog.PartitionTask<T> reader) {
        Topic t = topics.topic(topic);
        if (t == null || partition < 0 || partition >= t.partitionCount()) {
            throw new IllegalArgumentException("no partition " + partition + " of topic '" + topic + "'"
                    + (t == null ? " (no such topic)" : " (it has " + t.partitionCount() + ")"));
        }
        return t.partition(partition).call(reader);
    }

    /**
     * Runs {@code reader} over the live consumer groups on the group-coordinator thread (see {@link
     * GroupCoordinator#read}); the reader must only read, and quickly. Fails with {@link
     * IllegalStateException} when this broker was started with external {@link GroupRequests}.
     */
    public <T> CompletableFuture<T> readGroups(Function<GroupRegistry, T> reader) {
        if (coordinator == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("this broker routes group requests to "
                    + "an external GroupRequests; its group state is not readable here"));
        }
        return coordinator.read(reader);
    }

    /** Blocks until {@link #close()} has finished; for {@link BrokerMain}. */
    public void awaitClosed() throws InterruptedException {
        closedLatch.await();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        try {
            LOG.info("broker {} shutting down", config.brokerId());
            observability.health().stopping();
            server.stopAccepting();
            errors.startShutdown();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownTimeoutMs());
            while (server.inFlight() > 0 && System.nanoTime() < deadline) {
                sleepMs(2);
            }
            if (server.inFlight() > 0) {
                LOG.warn("{} requests still unanswered after shutdownTimeoutMs {}; closing their connections",
                        server.inFlight(), config.shutdownTimeoutMs());
            }
            server.close(1000);
            if (coordinator != null) {
                coordinator.close(); // stop ticks, wait for durable group records, close the group log
            }
            admin.shutdown();
            awaitTermination();
            topics.close();
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                LOG.warn("releasing the data-directory lock failed: {}", e.toString());
            }
            observability.close();
            LOG.info("broker {} stopped", config.brokerId());
        } finally {
            closedLatch.countDown();
        }
    }

    private void awaitTermination() {
        try {
            if (!admin.awaitTermination(config.shutdownTimeoutMs(), TimeUnit.MILLISECONDS)) {
                LOG.warn("admin work still running after shutdownTimeoutMs; closing partitions anyway");
                admin.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitQuietly() {
        try {
            closedLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Milliseconds that never jump, for durations and deadlines: the wall time when this class loaded plus the
     * monotonic time elapsed since (System.nanoTime), so values stay positive and read like times.
     */
    private static long monotonicMs() {
        return WALL_AT_LOAD_MS + (System.nanoTime() - NANOS_AT_LOAD) / 1_000_000;
    }
}
