package io.semel.client;

import io.semel.protocol.Ack;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.Delivery;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Frame;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.Heartbeat;
import io.semel.protocol.Hello;
import io.semel.protocol.InitProducer;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.LeaveGroup;
import io.semel.protocol.Messages;
import io.semel.protocol.Metadata;
import io.semel.protocol.Nack;
import io.semel.protocol.Poll;
import io.semel.protocol.Produce;
import io.semel.protocol.ProtocolException;
import io.semel.protocol.RecordBatch;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fault seam for client tests: a real loopback {@link ServerSocket} speaking the real protocol
 * through {@link FrameCodec}, with a small in-memory model of the broker (partition logs with
 * producer-sequence dedup, a one-member group) and scripted faults per API. Not a substitute for
 * the real broker: integration tests against it come once the broker module is merged.
 *
 * <p>Each connection has a reader thread (decodes, applies, queues the reply) and a writer thread
 * (sends replies in request order when their delay has passed), so delayed replies still let the
 * client pipeline more requests, and the broker can count unanswered PRODUCEs per partition.
 */
final class ScriptedBroker implements AutoCloseable {
    /** What to do with the next request of an API. */
    sealed interface Fault permits Drop, Delay, Fail, Hold, Lose {
    }

    /** The request is lost in the network: the connection is cut at once and nothing is applied. */
    record Lose() implements Fault {
    }

    /**
     * The request is stuck in the network: the connection is cut at once (no reply), and the
     * broker applies the request only {@code ms} later — a late copy landing after the client moved on.
     */
    record Hold(long ms) implements Fault {
    }

    /** Apply the request, then cut the connection without answering: the reply is lost. */
    record Drop() implements Fault {
    }

    /** Apply the request, answer after {@code ms}. Later replies on the connection wait behind it. */
    record Delay(long ms) implements Fault {
    }

    /** Do not apply; answer with an error frame. */
    record Fail(ErrorCode code) implements Fault {
    }

    /** A request as the broker received it. */
    record Received(int connection, long atNanos, ApiRequest request) {
    }

    private record Reply(ByteBuffer bytes, long sendAtNanos, boolean close, Produce.Request produce) {
    }

    private final ServerSocket server;
    private final FrameCodec codec = new FrameCodec();
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<ApiKey, ArrayDeque<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<ApiKey, Function<ApiRequest, ApiResponse>> handlers = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** Every request of every API and every "handled" mark from tests, in order. */
    final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
    volatile long defaultProduceDelayMs;

    // --- broker model, guarded by this
    private final Map<String, Integer> topics = new HashMap<>();
    private final Map<String, List<byte[]>> logs = new HashMap<>();
    private final Map<String, Long> highestSequence = new HashMap<>();
    private final Map<String, List<long[]>> retained = new HashMap<>();
    private final Map<String, Long> initialSequences = new HashMap<>();
    private final Map<String, Integer> unanswered = new HashMap<>();
    private final Map<String, Integer> maxUnanswered = new HashMap<>();
    private short epoch = -1;
    final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    final List<Long> staleOffsets = new CopyOnWriteArrayList<>();
    /** Newest ACK version this broker reads (1 plays a broker from before ACK ranges). */
    volatile short ackVersionMax = Ack.VERSION_RANGES;
    /** Highest POLL version answered; above it, UNSUPPORTED_VERSION (a broker from before acks rode on polls). */
    volatile short pollVersionMax = Poll.VERSION_RUNS;
    /**
     * POLL v3: report a poll's acks durable only in the answer after it (as a broker answering ahead
     * of its group-log fsync does); false: in its own answer.
     */
    volatile boolean acksDurableOneAnswerLate;
    /** POLL v3: never report acks durable in a poll's answer (only a HEARTBEAT's answer settles them). */
    volatile boolean acksNeverReportedDurable;
    private long previousAckSequence;
    /** Most messages a POLL may ask for; above it, INVALID_REQUEST with nothing applied (a broker's pollMessagesMax). */
    volatile int pollMessagesMax = Integer.MAX_VALUE;

    ScriptedBroker() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-broker-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String bootstrap() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    synchronized ScriptedBroker topic(String name, int partitions) {
        topics.put(name, partitions);
        return this;
    }

    /** Highest persisted sequence INIT_PRODUCER reports for a partition. */
    synchronized ScriptedBroker persistedSequence(String topic, int partition, long highest) {
        initialSequences.put(topic + "/" + partition, highest);
        highestSequence.put(topic + "/" + partition, highest);
        return this;
    }

    ScriptedBroker onNext(ApiKey key, Fault... fs) {
        ArrayDeque<Fault> q = faults.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            q.addAll(List.of(fs));
        }
        return this;
    }

    /** Drops the faults still queued for an API: the network heals. */
    ScriptedBroker heal(ApiKey key) {
        ArrayDeque<Fault> q = faults.get(key);
        if (q != null) {
            synchronized (q) {
                q.clear();
            }
        }
        return this;
    }

    ScriptedBroker handle(ApiKey key, Function<ApiRequest, ApiResponse> h) {
        handlers.put(key, h);
        return this;
    }

    int connectionCount() {
        return connections.get();
    }

    @SuppressWarnings("unchecked")
    <T extends ApiRequest> List<T> requests(ApiKey key) {
        List<T> out = new ArrayList<>();
        for (Received r : received) {
            if (r.request().apiKey() == key) {
                out.add((T) r.request());
            }
        }
        return out;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    synchronized List<byte[]> log(String topic, int partition) {
        return List.copyOf(logs.getOrDefault(topic + "/" + partition, List.of()));
    }

    synchronized int maxUnansweredProduces(String topic, int partition) {
        return maxUnanswered.getOrDefault(topic + "/" + partition, 0);
    }

    /** Cuts every open connection, as a network failure would. */
    void dropAllConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                int id = connections.incrementAndGet();
                BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
                start("scripted-broker-read-" + id, () -> readLoop(id, s, replies));
                start("scripted-broker-write-" + id, () -> writeLoop(s, replies));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void readLoop(int connection, Socket s, BlockingQueue<Reply> replies) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                int length = in.readInt();
                byte[] frameBytes = new byte[4 + length];
                ByteBuffer.wrap(frameBytes).putInt(length);
                in.readFully(frameBytes, 4, length);
                Frame frame = codec.next(ByteBuffer.wrap(frameBytes)).orElseThrow();
                ApiRequest req = codec.decodeRequest(frame);
                received.add(new Received(connection, System.nanoTime(), req));
                timeline.add("request " + req.apiKey());
                Reply reply = answer(frame.requestId(), req);
                replies.add(reply);
                if (reply.close()) {
                    return;
                }
            }
        } catch (IOException | ProtocolException | RuntimeException e) {
            replies.add(new Reply(null, 0, true, null));
        }
    }

    private void writeLoop(Socket s, BlockingQueue<Reply> replies) {
        try {
            OutputStream out = s.getOutputStream();
            while (true) {
                Reply r = replies.take();
                long wait = r.sendAtNanos() - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (r.produce() != null) {
                    answered(r.produce());
                }
                if (r.close()) {
                    closeQuietly(s);
                    return;
                }
                out.write(r.bytes().array(), 0, r.bytes().remaining());
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            closeQuietly(s);
        }
    }

    private Reply answer(int requestId, ApiRequest req) throws ProtocolException {
        Fault fault = nextFault(req.apiKey());
        Produce.Request produce = req instanceof Produce.Request p ? p : null;
        if (produce != null) {
            sent(produce);
        }
        if (fault instanceof Fail f) {
            return new Reply(FrameCodec.encodeErrorFrame(req.apiKey().id(), requestId, f.code(), "scripted " + f.code()),
                    0, false, produce);
        }
        if (fault instanceof Lose) {
            return new Reply(null, 0, true, produce);
        }
        if (fault instanceof Hold h) {
            Thread late = new Thread(() -> {
                try {
                    Thread.sleep(h.ms());
                    apply(req);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "scripted-broker-held-request");
            late.setDaemon(true);
            late.start();
            return new Reply(null, 0, true, produce);
        }
        Function<ApiRequest, ApiResponse> custom = handlers.get(req.apiKey());
        ApiResponse resp = custom != null ? custom.apply(req) : apply(req);
        if (fault instanceof Drop) {
            return new Reply(null, 0, true, produce);
        }
        long delayMs = fault instanceof Delay d ? d.ms() : produce != null ? defaultProduceDelayMs : 0;
        return new Reply(codec.encodeResponse(requestId, resp), System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(delayMs), false, produce);
    }

    private Fault nextFault(ApiKey key) {
        ArrayDeque<Fault> q = faults.get(key);
        if (q == null) {
            return null;
        }
        synchronized (q) {
            return q.poll();
        }
    }

    private synchronized void sent(Produce.Request p) {
        String k = p.topic() + "/" + p.partition();
        int n = unanswered.merge(k, 1, Integer::sum);
        maxUnanswered.merge(k, n, Math::max);
    }

    private synchronized void answered(Produce.Request p) {
        unanswered.merge(p.topic() + "/" + p.partition(), -1, Integer::sum);
    }

    /** The broker model's own answer, applied: for custom handlers that only sometimes intervene. */
    ApiResponse model(ApiRequest req) {
        return apply(req);
    }

    private synchronized ApiResponse apply(ApiRequest req) {
        return switch (req.apiKey()) {
            case HELLO -> new Hello.Response(ErrorCode.NONE, null, "scripted", (short) 1, 8 * 1024 * 1024, 1024 * 1024,
                    null);
            case METADATA -> metadata((Metadata.Request) req);
            case INIT_PRODUCER -> initProducer((InitProducer.Request) req);
            case PRODUCE -> produce((Produce.Request) req);
            case JOIN_GROUP -> new JoinGroup.Response(ErrorCode.NONE, null, "member-1");
            case HEARTBEAT -> new Heartbeat.Response(ErrorCode.NONE, null, List.of(new Heartbeat.Lease(0, 3)));
            case LEAVE_GROUP -> new LeaveGroup.Response(ErrorCode.NONE, null);
            case POLL -> poll((Poll.Request) req);
            case ACK -> ack((Ack.Request) req);
            case NACK -> new Nack.Response(ErrorCode.NONE, null, results(((Nack.Request) req).items()));
            default -> Messages.errorResponse(req.apiKey(), ErrorCode.INVALID_REQUEST, "not scripted");
        };
    }

    private Metadata.Response metadata(Metadata.Request r) {
        List<Metadata.TopicMetadata> out = new ArrayList<>();
        for (String t : r.topics()) {
            Integer n = topics.get(t);
            out.add(n == null ? new Metadata.TopicMetadata(t, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0)
                    : new Metadata.TopicMetadata(t, ErrorCode.NONE, n));
        }
        return new Metadata.Response(ErrorCode.NONE, null, out);
    }

    private InitProducer.Response initProducer(InitProducer.Request r) {
        Integer n = topics.get(r.topic());
        if (n == null) {
            return InitProducer.Response.error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + r.topic());
        }
        epoch++;
        List<InitProducer.PartitionSequence> seqs = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            seqs.add(new InitProducer.PartitionSequence(p, initialSequences.getOrDefault(r.topic() + "/" + p, -1L)));
        }
        return new InitProducer.Response(ErrorCode.NONE, null, 7L, epoch, seqs);
    }

    /** Appends with Kafka-style dedup: duplicates answered with the original offsets, gaps refused. */
    private Produce.Response produce(Produce.Request r) {
        String k = r.topic() + "/" + r.partition();
        RecordBatch b = r.batch();
        List<byte[]> log = logs.computeIfAbsent(k, x -> new ArrayList<>());
        if (b.hasProducer()) {
            long highest = highestSequence.getOrDefault(k, -1L);
            if (b.lastSequence() <= highest) {
                for (long[] e : retained.getOrDefault(k, List.of())) {
                    if (e[0] == b.baseSequence() && e[1] == b.lastSequence()) {
                        return new Produce.Response(ErrorCode.NONE, null, e[2], e[3], true);
                    }
                }
                return new Produce.Response(ErrorCode.NONE, null, -1, -1, true);
            }
            if (b.baseSequence() != highest + 1) {
                return Produce.Response.error(ErrorCode.OUT_OF_ORDER_SEQUENCE, "expected sequence " + (highest + 1)
                        + ", received " + b.baseSequence() + ".." + b.lastSequence());
            }
            highestSequence.put(k, b.lastSequence());
        }
        long base = log.size();
        b.records().forEach(rec -> log.add(rec.value()));
        long last = log.size() - 1;
        if (b.hasProducer()) {
            retained.computeIfAbsent(k, x -> new ArrayList<>()).add(new long[] {b.baseSequence(), b.lastSequence(), base,
                    last});
        }
        return new Produce.Response(ErrorCode.NONE, null, base, last, false);
    }

    private Poll.Response poll(Poll.Request r) {
        if (r.version() > pollVersionMax) {
            return Poll.Response.error(ErrorCode.UNSUPPORTED_VERSION, "POLL version " + r.version() + " not supported")
                    .inVersion(Poll.VERSION_PLAIN);
        }
        if (r.maxMessages() > pollMessagesMax) {
            return Poll.Response.error(ErrorCode.INVALID_REQUEST, "poll of " + r.maxMessages() + " messages above "
                    + pollMessagesMax + " (pollMessagesMax); nothing applied").inVersion(r.version());
        }
        List<Delivery> out = new ArrayList<>();
        deliveries.drainTo(out, r.maxMessages());
        long durableThrough;
        synchronized (this) {
            durableThrough = acksNeverReportedDurable ? 0
                    : acksDurableOneAnswerLate ? previousAckSequence : Math.max(previousAckSequence, r.ackSequence());
            previousAckSequence = Math.max(previousAckSequence, r.ackSequence());
        }
        return Poll.Response.of(ErrorCode.NONE, null, out, results(r.acks()), durableThrough, Poll.VERSION_RUNS)
                .inVersion(r.version());
    }

    private Ack.Response ack(Ack.Request r) {
        if (r.version() > ackVersionMax) {
            return Ack.Response.error(ErrorCode.UNSUPPORTED_VERSION, "ACK version " + r.version() + " not supported")
                    .inVersion(Ack.VERSION_ITEMS);
        }
        return new Ack.Response(ErrorCode.NONE, null, results(r.items())).inVersion(r.version());
    }

    private List<Ack.Result> results(List<Ack.Item> items) {
        List<Ack.Result> out = new ArrayList<>();
        for (Ack.Item i : items) {
            out.add(new Ack.Result(i.partition(), i.offset(), staleOffsets.contains(i.offset()) ? ErrorCode.STALE_LEASE
                    : ErrorCode.NONE));
        }
        return out;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropAllConnections();
    }
}
