package io.semel.verify.run;

import io.semel.verify.process.ProcessListener;
import io.semel.verify.run.child.ProducerChild;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The workload's producers, each a child JVM ({@link ProducerNode}, {@link ProducerChild}) sending through the
 * producers' fault proxy with the guarantee's setting: exactly-once → idempotent with a stable name,
 * at-least-once → retries without a producer id, at-most-once → one attempt. The nemesis kills and pauses them
 * like any other process.
 *
 * <p>Rate: {@link VerifyConfig#sendsPerSecond()} is the offered rate over all producers. Each lane has one send
 * in flight (history rule), so a high rate needs many lanes: a child gets enough lanes to offer its share with
 * {@value #LANE_SEND_MS_ASSUMED} ms per send, at least {@link VerifyConfig#lanesPerProducer()} and at most
 * {@value #LANES_MAX}.
 *
 * <p>Thread-safe: the nodes are.
 */
final class ProducerFleet implements Closeable {
    static final long DELIVERY_TIMEOUT_MS = ProducerChild.DELIVERY_TIMEOUT_MS;
    /** A send's round trip the lane count is sized for (fsync, group commit, proxy, loaded 2-core machine). */
    static final int LANE_SEND_MS_ASSUMED = 40;
    static final int LANES_MAX = 256;

    private final Map<String, ProducerNode> nodes = new LinkedHashMap<>();

    ProducerFleet(VerifyConfig cfg, String bootstrap, String topic, Path runDir, EventSink sink, RunHistory history,
            ProcessListener listener) {
        this(cfg, ProducerChild.class.getName(), bootstrap, topic, runDir, sink, history, listener);
    }

    /** Producers running {@code mainClass} (the Kafka engine's {@code KafkaProducerChild}). */
    ProducerFleet(VerifyConfig cfg, String mainClass, String bootstrap, String topic, Path runDir, EventSink sink,
            RunHistory history, ProcessListener listener) {
        double ratePerChild = (double) cfg.sendsPerSecond() / cfg.producers();
        int lanes = lanes(cfg);
        for (int p = 1; p <= cfg.producers(); p++) {
            String name = "p" + p;
            List<String> args = List.of("--bootstrap", bootstrap, "--topic", topic,
                    "--guarantee", cfg.guarantee().wireName(),
                    "--events", "127.0.0.1:" + sink.address().getPort(),
                    "--lanes", Integer.toString(lanes), "--rate", Double.toString(ratePerChild),
                    "--accounts", Integer.toString(cfg.accounts()), "--seed", Long.toString(cfg.seed()));
            nodes.put(name, new ProducerNode(name, mainClass, args, runDir, sink, history, listener));
        }
    }

    /** Lanes per producer child for the config's rate. */
    static int lanes(VerifyConfig cfg) {
        double perChild = (double) cfg.sendsPerSecond() / cfg.producers();
        int needed = (int) Math.ceil(perChild * LANE_SEND_MS_ASSUMED / 1000.0);
        return Math.min(LANES_MAX, Math.max(cfg.lanesPerProducer(), needed));
    }

    /** The producer process names, the nemesis's targets. */
    static List<String> names(VerifyConfig cfg) {
        List<String> out = new ArrayList<>();
        for (int p = 1; p <= cfg.producers(); p++) {
            out.add("p" + p);
        }
        return out;
    }

    Map<String, ProducerNode> nodes() {
        return nodes;
    }

    void start() throws IOException {
        for (ProducerNode n : nodes.values()) {
            n.start();
        }
    }

    /** Stops them all (resumed if paused): each finishes its current send or is killed after the wait. */
    void stop() throws IOException, InterruptedException {
        for (ProducerNode n : nodes.values()) {
            n.requestStop();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ProducerNode.STOP_WAIT_MS);
        for (ProducerNode n : nodes.values()) {
            n.finishStop(deadline);
        }
    }

    /** Deaths no nemesis caused (a producer that stopped on a fatal error), over all producers. */
    int unplannedDeaths() {
        return nodes.values().stream().mapToInt(ProducerNode::unplannedDeaths).sum();
    }

    @Override
    public void close() {
        nodes.values().forEach(ProducerNode::close);
    }
}
