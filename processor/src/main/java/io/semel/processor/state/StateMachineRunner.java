package io.semel.processor.state;

import io.semel.client.PartitionRead;
import io.semel.client.PartitionReader;
import io.semel.client.PartitionRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link StateMachine} over every partition of a topic, replicated-state-machine style: it
 * reads with a {@link PartitionReader} from its own positions (no consumer group, nothing is acked,
 * so nothing is lost to acks), applies messages in offset order per partition, and snapshots state
 * plus positions every {@code snapshotEveryMessages} messages or {@code snapshotEveryMs} ms. At
 * start it loads the newest valid snapshot and replays the log after it (or everything, with none).
 *
 * <p>A snapshot is taken only between fetched batches, after the whole batch was applied, so it
 * never holds part of a batch. Single writer: one thread ({@link #start()}'s, or the caller of
 * {@link #runOnce()}) applies and snapshots; {@link #state()} and {@link #positions()} may be read
 * from any thread and show the state after the last complete batch. Closing does not snapshot: a
 * restart replays from the last snapshot.
 */
public final class StateMachineRunner<S> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateMachineRunner.class);

    private record View<S>(S state, Map<Integer, Long> positions, long applied) {
    }

    private final PartitionReader reader;
    private final String topic;
    private final StateMachine<S> machine;
    private final StateCodec<S> codec;
    private final SnapshotStore snapshots;
    private final long snapshotEveryMessages;
    private final long snapshotEveryMs;
    private final int fetchWaitMs;
    private final Clock clock;
    private final int partitions;
    private final CountDownLatch stop = new CountDownLatch(1);
    // Owned by the applying thread.
    private S state;
    private final Map<Integer, Long> positions = new TreeMap<>();
    private long snapshotIndex;
    private long sinceSnapshot;
    private long lastSnapshotMs;
    private long applied;
    private volatile View<S> view;
    private Thread thread;

    private StateMachineRunner(Builder<S> b) throws IOException {
        this.reader = b.reader;
        this.topic = b.topic;
        this.machine = b.machine;
        this.codec = b.codec;
        this.snapshots = b.snapshots;
        this.snapshotEveryMessages = b.snapshotEveryMessages;
        this.snapshotEveryMs = b.snapshotEveryMs;
        this.fetchWaitMs = b.fetchWaitMs;
        this.clock = b.clock;
        this.partitions = reader.partitionCount(topic);
        Optional<Snapshot> s = snapshots.loadNewest();
        if (s.isPresent()) {
            for (int p : s.get().positions().keySet()) {
                if (p >= partitions) {
                    throw new IllegalStateException("snapshot " + s.get().index() + " has a position for partition " + p
                            + " but topic '" + topic + "' has " + partitions + " partitions: a snapshot of another topic?");
                }
            }
            state = codec.decode(s.get().state());
            positions.putAll(s.get().positions());
            snapshotIndex = s.get().index();
            log.info("state machine on '{}': loaded snapshot {} at {}", topic, snapshotIndex, positions);
        } else {
            state = machine.initialState();
        }
        for (int p = 0; p < partitions; p++) {
            positions.putIfAbsent(p, 0L);
        }
        lastSnapshotMs = clock.millis();
        publish();
    }

    public static <S> Builder<S> builder(PartitionReader reader, String topic, StateMachine<S> machine,
            StateCodec<S> codec, SnapshotStore snapshots) {
        return new Builder<>(reader, topic, machine, codec, snapshots);
    }

    /**
     * One pass over every partition: reads one batch from each, applies it, and snapshots between
     * batches when due. Returns the number of messages applied.
     */
    public int runOnce() throws IOException {
        int total = 0;
        for (int p = 0; p < partitions; p++) {
            PartitionRead read = reader.read(topic, p, positions.get(p), total == 0 && p == partitions - 1
                    ? fetchWaitMs : 0);
            for (PartitionRecord r : read.records()) {
                assert r.offset() >= positions.get(p) : r.offset() + " < " + positions.get(p);
                state = machine.apply(state, r);
                positions.put(p, r.offset() + 1);
            }
            int n = read.records().size();
            total += n;
            applied += n;
            sinceSnapshot += n;
            publish();
            // Between batches only: the state now reflects whole batches.
            if (sinceSnapshot > 0 && (sinceSnapshot >= snapshotEveryMessages
                    || clock.millis() - lastSnapshotMs >= snapshotEveryMs)) {
                snapshot();
            }
        }
        return total;
    }

    /** Writes a snapshot of the current state and positions now (between batches). */
    public void snapshot() throws IOException {
        snapshotIndex++;
        snapshots.write(new Snapshot(snapshotIndex, positions, codec.encode(state)));
        sinceSnapshot = 0;
        lastSnapshotMs = clock.millis();
    }

    private void publish() {
        view = new View<>(state, Map.copyOf(positions), applied);
    }

    /** The state after the last complete batch. Do not mutate it. */
    public S state() {
        return view.state();
    }

    /** Partition → next offset to apply, after the last complete batch. */
    public Map<Integer, Long> positions() {
        return new TreeMap<>(view.positions());
    }

    /** Messages applied since this runner started (not counting those in the loaded snapshot). */
    public long applied() {
        return view.applied();
    }

    /** Applies in a background thread until {@link #close()}; errors are logged and retried after a pause. */
    public synchronized StateMachineRunner<S> start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(() -> {
            while (stop.getCount() > 0) {
                try {
                    if (runOnce() == 0) {
                        stop.await(10, TimeUnit.MILLISECONDS);
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("state machine on '{}': {}; retrying", topic, e.toString());
                    try {
                        stop.await(500, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ie) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "semel-state-machine-" + topic);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops the background thread (no final snapshot). Does not close the reader. */
    @Override
    public void close() {
        stop.countDown();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Settings with units in their names. Not thread-safe. */
    public static final class Builder<S> {
        private final PartitionReader reader;
        private final String topic;
        private final StateMachine<S> machine;
        private final StateCodec<S> codec;
        private final SnapshotStore snapshots;
        private long snapshotEveryMessages = 10_000;
        private long snapshotEveryMs = 60_000;
        private int fetchWaitMs = 100;
        private Clock clock = Clock.systemUTC();

        private Builder(PartitionReader reader, String topic, StateMachine<S> machine, StateCodec<S> codec,
                SnapshotStore snapshots) {
            this.reader = Objects.requireNonNull(reader, "reader");
            this.topic = Objects.requireNonNull(topic, "topic");
            this.machine = Objects.requireNonNull(machine, "machine");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        }

        public Builder<S> snapshotEveryMessages(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("snapshotEveryMessages must be >= 1, was " + v);
            }
            snapshotEveryMessages = v;
            return this;
        }

        public Builder<S> snapshotEveryMs(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("snapshotEveryMs must be >= 1, was " + v);
            }
            snapshotEveryMs = v;
            return this;
        }

        /** How long a pass that found nothing waits on the broker, ms; default 100. */
        public Builder<S> fetchWaitMs(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("fetchWaitMs must be >= 0, was " + v);
            }
            fetchWaitMs = v;
            return this;
        }

        public Builder<S> clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /** Loads the newest valid snapshot (or the initial state) and returns the runner. */
        public StateMachineRunner<S> build() {
            try {
                return new StateMachineRunner<>(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load snapshots", e);
            }
        }
    }
}
