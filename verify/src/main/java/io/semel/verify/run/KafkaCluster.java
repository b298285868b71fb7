package io.semel.verify.run;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.PowerCut;
import io.semel.verify.process.ProcessListener;
import io.semel.verify.proxy.FaultProxy;
import io.semel.verify.proxy.ProxyListener;
import io.semel.verify.proxy.ProxyOptions;
import io.semel.verify.run.child.KafkaBrokerChild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/**
 * The Kafka engine's cluster: three KRaft nodes ({@code k1..k3}, each broker and controller, {@link KafkaBrokerChild})
 * as child JVMs on loopback, replication factor 3 and {@code min.insync.replicas=2} for every topic, so one node
 * may be dead or paused at a time without losing a confirmed record.
 *
 * <p><b>Listeners and proxies.</b> Kafka clients connect to whatever address a broker advertises for the listener
 * they came in on, so a proxy in front of the bootstrap address alone would be bypassed after the first metadata
 * answer. Each node therefore has one listener per client role besides the inter-broker one, and advertises for it
 * the port of that role's proxy in front of that node:
 * <pre>
 *   INTERNAL://:i     replication, controller RPCs to brokers, the harness (admin, drain)  — advertised as itself
 *   PRODUCERS://:p    advertised as px-producers-k&lt;n&gt; ─► FaultProxy ─► :p
 *   PROCESSORS://:c   advertised as px-processor-k&lt;n&gt; ─► FaultProxy ─► :c
 *   CONTROLLER://:q   the KRaft quorum (static voters)
 * </pre>
 * A network fault on {@code px-producers} switches the same policy on the three producer proxies at once
 * ({@link ProxyGroup}). Replication and the quorum never pass a proxy: the faults are client ↔ broker ones.
 *
 * <p><b>Targets.</b> {@code k1..k3} name a node; {@code controller} names whichever node is the active KRaft
 * controller (the quorum leader) when the fault starts, and its stop heals that same node. All ports are chosen once,
 * so a restarted node comes back on the same addresses with its data ({@code --ignore-formatted}).
 *
 * <p>Thread-safe: each node is a {@link ChildProcess} (thread-safe); the controller resolution is synchronized.
 */
final class KafkaCluster implements Brokers {
    /** How often a node aborts the transactions past their timeout, ms. */
    static final long TRANSACTION_ABORT_CHECK_MS = 1_000;
    static final List<String> NODES = List.of("k1", "k2", "k3");
    static final String CONTROLLER = "controller";
    static final int REPLICATION_FACTOR = 3;
    static final int MIN_INSYNC_REPLICAS = 2;
    static final int HEAP_MB = 256;
    /** A node's start (format, quorum join, broker registration) on a loaded 2-core machine. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** A dead broker is fenced by the controller after this (Kafka's default is 9 s). */
    static final int BROKER_SESSION_TIMEOUT_MS = 4_000;
    /** A paused follower leaves the ISR after this (Kafka's default is 30 s), so acks=all sends go on without it. */
    static final int REPLICA_LAG_TIME_MAX_MS = 5_000;
    /** The broker's lowest accepted consumer session timeout (Kafka's default is 6,000). */
    static final int GROUP_MIN_SESSION_TIMEOUT_MS = 1_000;
    static final long ADMIN_TIMEOUT_MS = 60_000;
    /** How long a planned node fault waits for the other nodes to be up (a restart under load can take 40 s). */
    static final long OTHERS_UP_WAIT_MS = 120_000;
    /** Kafka frames are int32-length-prefixed like Semel's; a fetch answer may carry up to this much. */
    static final int PROXY_MAX_FRAME_BYTES = 64 << 20;
    /** Few threads per JVM: three brokers share two cores with everything else. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    private record Node(String name, int id, int internalPort, int producersPort, int processorsPort,
            int controllerPort, ChildProcess process) {
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final ProxyGroup producersProxy;
    private final ProxyGroup processorsProxy;
    private volatile Admin admin;
    private final Map<String, String> resolvedController = new java.util.concurrent.ConcurrentHashMap<>();
    /** At most one node down or paused: every kill and pause takes its turn, every restart and resume gives it back. */
    private final OneNodeAtATime turns = new OneNodeAtATime(NODES, this::up, () -> System.nanoTime() / 1_000_000);

    private KafkaCluster(List<Node> ns, ProxyGroup producersProxy, ProxyGroup processorsProxy) {
        ns.forEach(n -> nodes.put(n.name(), n));
        this.producersProxy = producersProxy;
        this.processorsProxy = processorsProxy;
    }

    /**
     * Starts the proxies, then the three nodes at once (each waits for the quorum), then waits until every broker
     * is registered.
     */
    static KafkaCluster start(Path runDir, long seed, ProcessListener listener, ProxyListener proxyListener)
            throws IOException, InterruptedException {
        int[][] ports = new int[NODES.size()][4];
        for (int[] p : ports) {
            for (int j = 0; j < p.length; j++) {
                p[j] = freePort();
            }
        }
        ProxyOptions options = new ProxyOptions(true, ProxyOptions.MAX_CONNECTIONS_DEFAULT, PROXY_MAX_FRAME_BYTES,
                ProxyOptions.CONNECT_TIMEOUT_MS_DEFAULT);
        List<FaultProxy> toProducers = new ArrayList<>();
        List<FaultProxy> toProcessors = new ArrayList<>();
        for (int i = 0; i < NODES.size(); i++) {
            toProducers.add(FaultProxy.start(RunSchedule.PROXY_PRODUCERS + "-" + NODES.get(i), loopback(ports[i][1]),
                    options, seed + 1 + i, proxyListener));
            toProcessors.add(FaultProxy.start(RunSchedule.PROXY_PROCESSOR + "-" + NODES.get(i), loopback(ports[i][2]),
                    options, seed + 11 + i, proxyListener));
        }
        String voters = java.util.stream.IntStream.range(0, NODES.size())
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + ports[i][3]).collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<Node> ns = new ArrayList<>();
        for (int i = 0; i < NODES.size(); i++) {
            String name = NODES.get(i);
            Path config = writeConfig(runDir, name, i + 1, ports[i], toProducers.get(i).port(),
                    toProcessors.get(i).port(), voters);
            ChildSpec spec = ChildSpec.of(name, KafkaBrokerChild.class.getName(), runDir, KafkaBrokerChild.READY)
                    .withArgs(List.of("--config", config.toString(), "--cluster-id", clusterId))
                    .withSystemProperties(Map.of("org.slf4j.simpleLogger.defaultLogLevel", "warn",
                            "log4j2.level", "WARN"))
                    .withHeapMb(HEAP_MB).withJvmOptions(JVM_OPTIONS).withReadyTimeout(READY_TIMEOUT);
            ns.add(new Node(name, i + 1, ports[i][0], ports[i][1], ports[i][2], ports[i][3],
                    new ChildProcess(spec, listener)));
        }
        KafkaCluster cluster = new KafkaCluster(ns, new ProxyGroup(RunSchedule.PROXY_PRODUCERS, toProducers),
                new ProxyGroup(RunSchedule.PROXY_PROCESSOR, toProcessors));
        try {
            cluster.startAll();
            // Only once the nodes are up: an admin client started before them logs a failed connection every 50 ms.
            cluster.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.internalBootstrap(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static Path writeConfig(Path runDir, String name, int id, int[] ports, int producersProxyPort,
            int processorsProxyPort, String voters) throws IOException {
        Path dir = runDir.resolve("kafka-" + name).toAbsolutePath();
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=" + id,
                "controller.quorum.voters=" + voters,
                "listeners=INTERNAL://127.0.0.1:" + ports[0] + ",PRODUCERS://127.0.0.1:" + ports[1]
                        + ",PROCESSORS://127.0.0.1:" + ports[2] + ",CONTROLLER://127.0.0.1:" + ports[3],
                "advertised.listeners=INTERNAL://127.0.0.1:" + ports[0] + ",PRODUCERS://127.0.0.1:" + producersProxyPort
                        + ",PROCESSORS://127.0.0.1:" + processorsProxyPort,
                "listener.security.protocol.map=INTERNAL:PLAINTEXT,PRODUCERS:PLAINTEXT,PROCESSORS:PLAINTEXT,"
                        + "CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=INTERNAL",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "default.replication.factor=" + REPLICATION_FACTOR,
                "min.insync.replicas=" + MIN_INSYNC_REPLICAS,
                "offsets.topic.replication.factor=" + REPLICATION_FACTOR,
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + REPLICATION_FACTOR,
                "transaction.state.log.min.isr=" + MIN_INSYNC_REPLICAS,
                "transaction.state.log.num.partitions=4",
                // A transaction past its timeout is aborted within a second, not the default ten: the relay's stall
                // fault (relay-stall-past-transaction-timeout) finds it aborted when it comes back.
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=" + TRANSACTION_ABORT_CHECK_MS,
                "share.coordinator.state.topic.replication.factor=" + REPLICATION_FACTOR,
                "share.coordinator.state.topic.min.isr=" + MIN_INSYNC_REPLICAS,
                "unclean.leader.election.enable=false",
                "auto.create.topics.enable=false",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=" + GROUP_MIN_SESSION_TIMEOUT_MS,
                "broker.session.timeout.ms=" + BROKER_SESSION_TIMEOUT_MS,
                "broker.heartbeat.interval.ms=1000",
                "replica.lag.time.max.ms=" + REPLICA_LAG_TIME_MAX_MS,
                "num.network.threads=1",
                "num.io.threads=2",
                "num.replica.fetchers=1",
                "background.threads=2",
                "log.cleaner.threads=1",
                "num.recovery.threads.per.data.dir=1"));
        Path config = dir.resolve("server.properties");
        Files.write(config, lines);
        return config;
    }

    private void startAll() throws IOException, InterruptedException {
        // Each node's startup waits for a quorum of controllers: start them together.
        List<Thread> starters = new ArrayList<>();
        List<IOException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Node n : nodes.values()) {
            Thread t = new Thread(() -> {
                try {
                    n.process().start();
                } catch (IOException e) {
                    failures.add(e);
                }
            }, "start-" + n.name());
            t.start();
            starters.add(t);
        }
        for (Thread t : starters) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IOException("the Kafka cluster did not start: " + failures.get(0).getMessage(), failures.get(0));
        }
    }

    String internalBootstrap() {
        return nodes.values().stream().map(n -> "127.0.0.1:" + n.internalPort()).collect(Collectors.joining(","));
    }

    /** The producers' bootstrap: the producers' proxies, so every connection a producer makes is proxied. */
    String producersBootstrap() {
        return producersProxy.bootstrap();
    }

    /** The processors' bootstrap: the processors' proxies. */
    String processorsBootstrap() {
        return processorsProxy.bootstrap();
    }

    ProxyGroup producersProxy() {
        return producersProxy;
    }

    ProxyGroup processorsProxy() {
        return processorsProxy;
    }

    Admin admin() {
        return admin;
    }

    /** Creates a topic with replication factor 3 and min.insync.replicas 2 and waits for every partition's leader. */
    void createTopic(String name, int partitions) throws IOException, InterruptedException {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) REPLICATION_FACTOR)
                    .configs(Map.of("min.insync.replicas", Integer.toString(MIN_INSYNC_REPLICAS)))))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ADMIN_TIMEOUT_MS);
            while (true) {
                TopicDescription d = null;
                try {
                    d = admin.describeTopics(List.of(name)).allTopicNames().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                            .get(name);
                } catch (ExecutionException e) {
                    // Right after the creation a node may not know the topic yet: ask again.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (d != null && d.partitions().stream()
                        .allMatch(p -> p.leader() != null && p.isr().size() == REPLICATION_FACTOR)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("topic " + name + " has partitions without a leader or a full ISR after "
                            + ADMIN_TIMEOUT_MS + " ms: " + d);
                }
                Thread.sleep(100);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("creating topic " + name + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isBroker(String target) {
        return nodes.containsKey(target) || target.equals(CONTROLLER);
    }

    @Override
    public boolean isCluster() {
        return true;
    }

    @Override
    public String kill(String target) throws IOException {
        return kill(target, 0, OTHERS_UP_WAIT_MS);
    }

    @Override
    public String kill(String target, long restMs, long waitMs) throws IOException {
        return hitWith(target, restMs, waitMs, ChildProcess::kill);
    }

    @Override
    public String pause(String target) throws IOException {
        return pause(target, 0, OTHERS_UP_WAIT_MS);
    }

    @Override
    public String pause(String target, long restMs, long waitMs) throws IOException {
        return hitWith(target, restMs, waitMs, ChildProcess::pause);
    }

    /** What a node fault does to the node's process (SIGKILL or SIGSTOP). */
    @FunctionalInterface
    private interface NodeAction {
        void apply(ChildProcess process) throws IOException;
    }

    /** Takes the turn for the node {@code target} names, applies {@code action}, gives the turn back if it failed. */
    private String hitWith(String target, long restMs, long waitMs, NodeAction action) throws IOException {
        Node n = hit(target, restMs, waitMs);
        try {
            action.apply(n.process());
        } catch (IOException | RuntimeException e) {
            turns.abandon();
            throw e;
        }
        return n.name();
    }

    /**
     * Takes the one-node turn ({@link OneNodeAtATime}) for the node a fault's start hits; the active controller is
     * looked up after the wait. The caller hits it, or abandons the turn if it could not.
     */
    private Node hit(String target, long restMs, long waitMs) throws IOException {
        Node named = target.equals(CONTROLLER) ? null : resolve(target, true);
        try {
            turns.take(named == null ? null : named.name(), restMs, waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to hit " + target, e);
        }
        try {
            Node n = named != null ? named : resolve(target, true);
            turns.resolved(n.name());
            return n;
        } catch (IOException | RuntimeException e) {
            turns.abandon();
            throw e;
        }
    }

    /** Whether a node runs and is not paused ({@code isAlive} waits for a restart in progress to be ready). */
    private boolean up(String name) {
        ChildProcess p = nodes.get(name).process();
        return p.isAlive() && !p.isPaused();
    }

    @Override
    public void resume(String target) throws IOException {
        Node n = resolve(target, false);
        if (n.process().isPaused()) {
            n.process().resume();
        }
        turns.upAgain(n.name());
    }

    @Override
    public void ensureRunning(String target) throws IOException {
        Node n = resolve(target, false);
        if (!n.process().isAlive()) {
            n.process().start();
        }
        turns.upAgain(n.name());
    }

    @Override
    public List<PowerCut.Cut> powerLoss(String target, Random random) {
        throw new UnsupportedOperationException("power-loss is not a Kafka engine fault: Kafka acknowledges without "
                + "fsync (replication is its durability), so a cut page cache on one node is a replica lost, "
                + "not a broken promise; use kill");
    }

    @Override
    public void heal() throws IOException {
        for (Node n : nodes.values()) {
            if (n.process().isPaused()) {
                n.process().resume();
            }
        }
        for (Node n : nodes.values()) {
            if (!n.process().isAlive()) {
                n.process().start();
            }
        }
        turns.clear();
        producersProxy.heal();
        processorsProxy.heal();
    }

    /**
     * Waits (at most {@code waitMs}) until the transaction of {@code transactionalId} is ongoing, then SIGKILLs the
     * node coordinating it (once the other nodes are up). Returns the node killed.
     */
    String killCoordinatorOfOngoing(String transactionalId, long waitMs) throws IOException, InterruptedException {
        String node = awaitOngoing(transactionalId, waitMs);
        kill(node);
        return node;
    }

    /**
     * Waits (at most {@code waitMs}) until the coordinator reports the transaction of {@code transactionalId}
     * ongoing; returns the node coordinating it.
     */
    String awaitOngoing(String transactionalId, long waitMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (true) {
            try {
                org.apache.kafka.clients.admin.TransactionDescription d = admin.describeTransactions(
                        List.of(transactionalId)).description(transactionalId).get(10, TimeUnit.SECONDS);
                if (d.state() == org.apache.kafka.clients.admin.TransactionState.ONGOING) {
                    String node = "k" + d.coordinatorId();
                    if (!nodes.containsKey(node)) {
                        throw new IOException("transaction " + transactionalId + " is coordinated by node "
                                + d.coordinatorId() + ", not one of " + nodes.keySet());
                    }
                    return node;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // not known yet (the relay has not begun a transaction) or a node is restarting: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the relay's transaction " + transactionalId + " was not seen ongoing within "
                        + waitMs + " ms (no outbox rows to publish, or the relay is down)");
            }
            Thread.sleep(100);
        }
    }

    /**
     * The node a target names. For {@code controller} at a fault's start: the current quorum leader, remembered so
     * the stop heals the same node.
     */
    private Node resolve(String target, boolean atStart) throws IOException {
        if (!target.equals(CONTROLLER)) {
            Node n = nodes.get(target);
            if (n == null) {
                throw new IllegalArgumentException("no Kafka node named " + target + "; nodes " + nodes.keySet());
            }
            return n;
        }
        if (!atStart) {
            String name = resolvedController.get(CONTROLLER);
            if (name == null) {
                throw new IllegalStateException("the controller fault never started, so no node to heal");
            }
            return nodes.get(name);
        }
        try {
            int leader = admin.describeMetadataQuorum().quorumInfo().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .leaderId();
            Node n = nodes.values().stream().filter(x -> x.id() == leader).findFirst().orElseThrow(
                    () -> new IOException("the quorum names leader " + leader + ", not one of " + nodes.keySet()));
            resolvedController.put(CONTROLLER, n.name());
            return n;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("cannot find the active controller: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while finding the active controller", e);
        }
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for a Kafka node", e);
        }
    }

    @Override
    public void close() {
        try {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        } catch (RuntimeException e) {
            System.err.println("verify: closing the Kafka admin client failed: " + e);
        }
        nodes.values().forEach(n -> n.process().close());
        producersProxy.close();
        processorsProxy.close();
    }
}
