package io.semel.cli;

import io.semel.client.AckResult;
import io.semel.client.Admin;
import io.semel.client.Consumer;
import io.semel.client.DeliveryGuarantee;
import io.semel.client.KeylessPartitioning;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.client.ProducerStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code semel bench produce|consume|e2e}: end-to-end throughput and latency, with the setup printed on
 * the line before the figures (convention 13). Without {@code --broker} the broker runs embedded.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure produce, consume, exactly-once pipeline throughput and one-at-a-time latency.",
        subcommands = {BenchCommand.Produce.class, BenchCommand.Consume.class, BenchE2eCommand.class,
            BenchLatencyCommand.class})
final class BenchCommand {
    private static final int REQUEST_TIMEOUT_MS = 30_000;

    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = "Send --count messages from --producers producers; print msgs/s, MB/s, send-to-confirm latency.")
    static final class Produce implements Callable<Integer> {
        @Option(names = "--count", paramLabel = "N", description = "Messages in total (default ${DEFAULT-VALUE}).")
        long count = 100_000;

        @Option(names = "--size", paramLabel = "BYTES", description = "Value size (default ${DEFAULT-VALUE}).")
        int size = 100;

        @Option(names = "--partitions", paramLabel = "P", description = "Partitions of the created topic (default ${DEFAULT-VALUE}).")
        int partitions = 1;

        @Option(names = "--producers", paramLabel = "K", description = "Concurrent producers, one thread each (default ${DEFAULT-VALUE}).")
        int producers = 1;

        @Option(names = "--batch-bytes", paramLabel = "X", description = "Producer batchBytesMax (default ${DEFAULT-VALUE}).")
        int batchBytes = 64 * 1024;

        @Option(names = "--linger-ms", paramLabel = "L", description = "Producer lingerMs (default ${DEFAULT-VALUE}).")
        long lingerMs = 1;

        @Option(names = "--keyless-stick-bytes", paramLabel = "B", description = "Producer keylessStickBytes: bytes "
                + "one partition gets before the producer moves on (default: 10 x --batch-bytes); 0 = round-robin, "
                + "one message per partition in turn.")
        Integer keylessStickBytes;

        @Option(names = "--guarantee", paramLabel = "G", converter = ClientOptions.GuaranteeConverter.class,
                description = "exactly-once (default), at-least-once or at-most-once.")
        DeliveryGuarantee guarantee = DeliveryGuarantee.EXACTLY_ONCE;

        @Option(names = "--kafka", description = "Then run the same workload against a single Kafka node (child JVM), "
                + "with Kafka's default durability and with an fsync per append, and print the ratios.")
        boolean kafka;

        @Mixin
        BenchTarget target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (count < 1 || size < 0 || partitions < 1 || producers < 1 || producers > count) {
                throw new ParameterException(spec.commandLine(), "need --count >= 1, --size >= 0, --partitions >= 1 "
                        + "and 1 <= --producers <= --count");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (BenchTarget t = target) {
                String bootstrap = t.start();
                String topic;
                try (Admin admin = target.security.configure(Admin.builder(bootstrap)).requestTimeoutMs(REQUEST_TIMEOUT_MS).build()) {
                    topic = target.topic(admin, partitions);
                }
                out.printf("setup: bench produce, %d messages x %d B, topic %s (%s partition(s)), %d producer(s), "
                        + "batch %d B, linger %d ms, keyless %s, %s, durability %s, broker %s%n", count, size, topic,
                        target.topic != null ? "existing" : partitions, producers, batchBytes, lingerMs, keyless(),
                        ClientOptions.spell(guarantee), target.durability(), target.brokerDescription());
                out.flush();
                LatencySample latency = new LatencySample(count);
                long[] failed = new long[1];
                long nanos = run(bootstrap, topic, latency, failed);
                double seconds = nanos / 1e9;
                double msgsPerSecond = count / seconds;
                out.printf("result: %d confirmed in %.2f s: %,.0f msgs/s, %.2f MB/s; send-to-confirm latency %s; "
                        + "%d failed or unknown%n", count - failed[0], seconds, msgsPerSecond,
                        count * (double) size / seconds / 1e6, latency.summary(), failed[0]);
                String groupCommit = target.groupCommitSummary();
                if (groupCommit != null) {
                    out.println(groupCommit);
                }
                double fsyncs = target.probeFsync(out);
                if (fsyncs > 0) {
                    out.printf("ratio: %.1f confirmed msgs per raw fsync (%,.0f msgs/s vs %,.0f fsyncs/s)%n",
                            msgsPerSecond / fsyncs, msgsPerSecond, fsyncs);
                }
                out.flush();
                if (failed[0] != 0) {
                    return Semel.EXIT_FAILURE;
                }
                if (kafka) {
                    return againstKafka(out, msgsPerSecond, latency);
                }
                return 0;
            }
        }

        private int againstKafka(PrintWriter out, double semelPerSecond, LatencySample semelLatency) throws Exception {
            for (BenchKafka.Durability d : BenchKafka.Durability.values()) {
                try (BenchKafka k = BenchKafka.start(Path.of(System.getProperty("java.io.tmpdir")), d)) {
                    KafkaThroughput kt = new KafkaThroughput(k);
                    String topic = kt.newTopic(partitions);
                    out.printf("setup: kafka: %s; the same workload: %d records x %d B, topic %s (%d partition(s)), "
                            + "%d producer(s) (idempotent, acks=all), batch.size %d B, linger.ms %d%n", k.description(),
                            count, size, topic, partitions, producers, batchBytes, lingerMs);
                    out.flush();
                    KafkaThroughput.Result r = kt.produce(topic, count, size, producers, batchBytes, lingerMs);
                    String name = BenchKafka.label(d);
                    out.printf("kafka [%s] result: %d confirmed in %.2f s: %,.0f msgs/s, %.2f MB/s; send-to-confirm "
                            + "latency %s; %d failed%n", name, r.records(), r.seconds(), r.perSecond(),
                            r.records() * (double) size / r.seconds() / 1e6, r.latency(), r.failed());
                    out.printf("ratio: semel [%s] / kafka [%s]: %.2fx the throughput (%,.0f vs %,.0f msgs/s)%n",
                            target.durability(), name, semelPerSecond / r.perSecond(), semelPerSecond, r.perSecond());
                    out.flush();
                    if (r.failed() > 0) {
                        return Semel.EXIT_FAILURE;
                    }
                }
            }
            return 0;
        }

        /** Runs the producers; returns the elapsed nanos from the first send to the last confirm. */
        /** How keyless messages are spread, for the setup line. */
        private String keyless() {
            if (keylessStickBytes != null && keylessStickBytes == 0) {
                return "round-robin";
            }
            long stick = keylessStickBytes != null ? keylessStickBytes
                    : (long) Producer.Builder.KEYLESS_STICK_BATCHES * batchBytes;
            return "sticky " + stick + " B";
        }

        private long run(String bootstrap, String topic, LatencySample latency, long[] failed) throws Exception {
            byte[] value = new byte[size];
            Arrays.fill(value, (byte) 'b');
            List<Producer> ps = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                ps.add(target.security.configure(Producer.builder(bootstrap)).clientId("semel-bench").guarantee(guarantee)
                        .batchBytesMax(batchBytes).lingerMs(lingerMs).requestTimeoutMs(REQUEST_TIMEOUT_MS)
                        .keylessPartitioning(keylessStickBytes != null && keylessStickBytes == 0
                                ? KeylessPartitioning.ROUND_ROBIN : KeylessPartitioning.STICKY)
                        .keylessStickBytes(keylessStickBytes != null && keylessStickBytes > 0 ? keylessStickBytes
                                : Producer.Builder.KEYLESS_STICK_BATCHES * batchBytes).build());
            }
            AtomicLong next = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (Producer p : ps) {
                Thread t = new Thread(() -> {
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        long index = i;
                        long sentAt = System.nanoTime();
                        p.send(topic, value).whenComplete((r, e) -> {
                            if (e == null) {
                                latency.record(index, System.nanoTime() - sentAt);
                            }
                        });
                    }
                    p.flush();
                }, "semel-bench-producer");
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long elapsed = System.nanoTime() - start;
            for (Producer p : ps) {
                ProducerStats s = p.close(Duration.ofSeconds(10));
                failed[0] += s.failed() + s.unknown();
            }
            return elapsed;
        }
    }

    @Command(name = "consume", mixinStandardHelpOptions = true,
            description = "Consume and ack --count messages in one group member; print msgs/s, MB/s, ack latency. "
                    + "Without --topic it first fills a new topic (not timed).")
    static final class Consume implements Callable<Integer> {
        static final String ACK_WITH_POLL = "with-poll";
        static final String ACK_SYNC = "sync";

        private static long refused(List<AckResult> results) {
            return AckResult.failures(results).size();
        }

        @Option(names = "--count", paramLabel = "N", description = "Messages to consume (default ${DEFAULT-VALUE}).")
        long count = 100_000;

        @Option(names = "--size", paramLabel = "BYTES", description = "Value size of the prefilled messages (default ${DEFAULT-VALUE}).")
        int size = 100;

        @Option(names = "--partitions", paramLabel = "P", description = "Partitions of the created topic (default ${DEFAULT-VALUE}).")
        int partitions = 1;

        @Option(names = "--group", paramLabel = "G", description = "Group to consume in (default bench-<random>).")
        String group;

        @Option(names = "--max-poll", paramLabel = "M", description = "Messages per poll (default ${DEFAULT-VALUE}).")
        int maxPoll = 500;

        @Option(names = "--ack", paramLabel = "MODE", description = "How each batch is acked: " + ACK_WITH_POLL
                + " (its acks ride on the next poll, Consumer.ackWithNextPoll: one round trip per batch, and the poll "
                + "need not wait for the acks' group-log fsync) or " + ACK_SYNC + " (an ACK request answered before the next poll). Either way every "
                + "message is acked on its own and durably. Default ${DEFAULT-VALUE}.")
        String ackMode = ACK_WITH_POLL;

        @Option(names = "--fetch-max", paramLabel = "F", description = "Most messages one POLL fetches "
                + "(Consumer.Builder.fetchMaxMessages; --max-poll or less turns fetching ahead off). Default: the "
                + "consumer's (" + Consumer.FETCH_MAX_MESSAGES_DEFAULT + ").")
        Integer fetchMax;

        @Option(names = "--prefetch", description = "The consumer fetches the next batch while the bench reads this "
                + "one (Consumer.Builder.prefetch): one more batch leased ahead, acks one poll later.")
        boolean prefetch;

        /** A millisecond of work per message is far beyond a throughput benchmark. */
        static final long WORK_NS_MAX = 1_000_000;

        @Option(names = "--work-ns", paramLabel = "NS", description = "Busy work per message before its ack, in "
                + "nanoseconds, standing for a handler (what --prefetch overlaps with the next fetch). Default ${DEFAULT-VALUE}.")
        long workNs = 0;

        @Option(names = "--warmup", paramLabel = "N", description = "Messages consumed first and not timed (the topic "
                + "is filled with --warmup + --count), by Semel and by each Kafka consumer alike: the figures are then of "
                + "compiled code, not of the JIT at work. Default ${DEFAULT-VALUE}.")
        long warmup = 0;

        @Option(names = "--kafka", description = "Then consume the same count from a single Kafka node (child JVM), "
                + "with a plain consumer (no group, no commit), a classic group (commitSync per poll) and a share group "
                + "(acknowledge each record, commit per poll), with Kafka's default durability and with an fsync per "
                + "append, and print the ratios.")
        boolean kafka;

        @Mixin
        BenchTarget target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (count < 1 || size < 0 || partitions < 1 || maxPoll < 1 || warmup < 0 || workNs < 0
                    || workNs > WORK_NS_MAX) {
                throw new ParameterException(spec.commandLine(), "need --count, --partitions, --max-poll >= 1, --size, "
                        + "--warmup >= 0, --work-ns in 0.." + WORK_NS_MAX);
            }
            if (!ackMode.equals(ACK_WITH_POLL) && !ackMode.equals(ACK_SYNC)) {
                throw new ParameterException(spec.commandLine(), "--ack is " + ACK_WITH_POLL + " or " + ACK_SYNC
                        + ", not '" + ackMode + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (BenchTarget t = target) {
                String bootstrap = t.start();
                String topic;
                try (Admin admin = target.security.configure(Admin.builder(bootstrap)).requestTimeoutMs(REQUEST_TIMEOUT_MS).build()) {
                    topic = target.topic(admin, partitions);
                }
                if (target.topic == null) {
                    prefill(bootstrap, topic);
                }
                String g = group != null ? group : "bench-" + UUID.randomUUID().toString().substring(0, 8);
                out.printf("setup: bench consume, %d messages after %d untimed, topic %s, group %s, 1 consumer, max %d per poll, "
                        + "%s%s%sat-least-once (every message acked, a batch's acks %s), durability %s, broker %s%n",
                        count, warmup, topic, g, maxPoll, fetchingAhead() ? "fetching ahead up to " + (fetchMax == null
                        ? Consumer.FETCH_MAX_MESSAGES_DEFAULT + " (the consumer's default)" : fetchMax) + " per POLL, " : "", prefetch ? "prefetch on (the next batch fetched ahead), " : "",
                        workNs > 0 ? String.format("%,d ns of work per message, ", workNs) : "",
                        ackMode.equals(ACK_WITH_POLL) ? "riding on the next poll" : "in an ACK request "
                        + "before the next poll", target.durability(), target.brokerDescription());
                if (t.dataDirUsed() != null) {
                    out.printf("setup: semel: prefill written back before the timed read: %s%n",
                            WriteBack.settle(t.dataDirUsed()).summary());
                }
                out.flush();
                double semelPerSecond = consume(bootstrap, topic, g, out);
                out.flush();
                if (kafka) {
                    againstKafka(out, semelPerSecond);
                }
                return 0;
            }
        }

        private void againstKafka(PrintWriter out, double semelPerSecond) throws Exception {
            for (BenchKafka.Durability d : BenchKafka.Durability.values()) {
                try (BenchKafka k = BenchKafka.start(Path.of(System.getProperty("java.io.tmpdir")), d)) {
                    KafkaThroughput kt = new KafkaThroughput(k);
                    String name = BenchKafka.label(d);
                    short share = k.shareVersion();
                    out.printf("setup: kafka: %s; %d records x %d B prefilled (not timed) per consumer kind, %d "
                            + "partition(s), 1 consumer, max.poll.records %d, read_committed; share groups (KIP-932): "
                            + "share.version %d%n", k.description(), count, size, partitions, maxPoll, share);
                    out.flush();
                    String topic = kt.newTopic(partitions);
                    kt.prefill(topic, warmup + count, size);
                    writtenBack(out, name, k.dir());
                    // Without a group it only reads (the topic is already filled): the anchor without acks or commits.
                    print(out, name, "plain consumer, no group, no commit", kt.consumePlain(topic, warmup, count, maxPoll),
                            semelPerSecond);
                    print(out, name, "classic group, commitSync per poll", kt.consumeGroup(topic, warmup, count, maxPoll),
                            semelPerSecond);
                    if (share > 0) {
                        String shareTopic = kt.newTopic(partitions);
                        kt.prefill(shareTopic, warmup + count, size);
                        writtenBack(out, name, k.dir());
                        print(out, name, "share group, acknowledge each record + commitSync per poll",
                                kt.consumeShare(shareTopic, warmup, count, maxPoll), semelPerSecond);
                    } else {
                        out.printf("kafka [%s] share group: not measured, this cluster has share.version 0%n", name);
                    }
                }
            }
        }

        /** Forces the node's files before a timed read (see {@link WriteBack}) and says what that took. */
        private static void writtenBack(PrintWriter out, String name, Path dir) throws IOException {
            out.printf("setup: kafka [%s]: prefill written back before the timed read: %s%n", name,
                    WriteBack.settle(dir).summary());
            out.flush();
        }

        private void print(PrintWriter out, String name, String kind, KafkaThroughput.Result r, double semelPerSecond) {
            out.printf("kafka [%s] result (%s): %d consumed in %.2f s: %,.0f msgs/s; commit latency per poll %s; %s%n",
                    name, kind, r.records(), r.seconds(), r.perSecond(), r.latency(), r.jvm());
            out.printf("ratio: semel group (ack per message) [%s] / kafka [%s] %s: %.2fx the throughput (%,.0f vs "
                    + "%,.0f msgs/s)%n", target.durability(), name, kind, semelPerSecond / r.perSecond(),
                    semelPerSecond, r.perSecond());
            out.flush();
        }

        private void prefill(String bootstrap, String topic) {
            byte[] value = new byte[size];
            Arrays.fill(value, (byte) 'b');
            try (Producer p = target.security.configure(Producer.builder(bootstrap)).clientId("semel-bench").build()) {
                for (long i = 0; i < warmup + count; i++) {
                    p.send(topic, value);
                }
                p.flush();
                ProducerStats s = p.stats();
                if (s.confirmed() != warmup + count) {
                    throw new IllegalStateException("prefill confirmed only " + s + " of " + (warmup + count) + " messages");
                }
            }
        }

        /** Consumes and acks; returns msgs/s. */
        private double consume(String bootstrap, String topic, String g, PrintWriter out) throws IOException,
                InterruptedException {
            boolean withPoll = ackMode.equals(ACK_WITH_POLL);
            // with-poll: the round trip of a poll that carries the previous batch's acks; sync: the ACK's
            LatencySample roundTrip = new LatencySample(count);
            Acks acks = new Acks();
            Tally timed = new Tally();
            Consumer.Builder builder = target.security.configure(Consumer.builder(bootstrap)).clientId("semel-bench")
                    .group(g).topic(topic).maxPollMessages(maxPoll).prefetch(prefetch).requestTimeoutMs(REQUEST_TIMEOUT_MS);
            if (fetchMax != null) {
                builder.fetchMaxMessages(fetchMax);
            }
            BenchClock clock;
            try (Consumer c = builder.build()) {
                if (warmup > 0) {
                    // Its own sample of the same size, thrown away: recording must take the same branches as in
                    // the timed part (see drive).
                    drive(c, warmup, new Tally(), acks, new LatencySample(count), withPoll, "warm-up");
                }
                clock = BenchClock.start(warmup > 0);
                drive(c, count, timed, acks, roundTrip, withPoll, "timed part");
                c.flushAcks(); // the last batch's acks: no poll follows
                for (CompletableFuture<List<AckResult>> f : acks.riding) {
                    acks.refused += refused(f.join());
                }
            }
            long received = timed.received;
            if (acks.refused > 0) {
                throw new IOException(acks.refused + " of " + (warmup + received) + " acks were refused: the figure "
                        + "would not be of messages consumed and acked");
            }
            BenchClock.Stopped stopped = clock.stop();
            double seconds = stopped.seconds();
            out.printf("result: %d consumed and acked in %.2f s: %,.0f msgs/s, %.2f MB/s; %d polls; %s %s; %s%n", received,
                    seconds, received / seconds, timed.bytes / seconds / 1e6, timed.polls,
                    !withPoll ? "ack latency per poll batch" : prefetch ? "time in a poll (its batch fetched ahead)"
                            : fetchingAhead() ? "time in a poll (a round trip carrying the acks when the fetched "
                            + "messages ran out, else none)" : "round trip of a poll carrying the previous batch's acks",
                    roundTrip.summary(), stopped.jvmLine());
            double fsyncs = target.probeFsync(out);
            if (fsyncs > 0) {
                out.printf("ratio: %.1f acked msgs per raw fsync%n", received / seconds / fsyncs);
            }
            return received / seconds;
        }

        /** Counts of one phase of a consume run: the warm-up, then the timed part. */
        private static final class Tally {
            long received;
            long bytes;
            long polls;
        }

        /**
         * What the phases share: acks not yet answered, oldest first (answered ones are counted and dropped as the
         * loop goes: kept, their messages would pile up in the heap and the figure would be the collector's), and the
         * count of refused ones.
         */
        private static final class Acks {
            final java.util.ArrayDeque<CompletableFuture<List<AckResult>>> riding = new java.util.ArrayDeque<>();
            long refused;

            void reap() {
                while (!riding.isEmpty() && riding.peekFirst().isDone()) {
                    refused += refused(riding.pollFirst().join());
                }
            }
        }

        /**
         * Polls, handles and acks exactly {@code n} messages. The warm-up and the timed part both run this, and each
         * poll's work is its own method ({@link #step}), called once per poll, so the JIT compiles during the
         * warm-up the code the clock then times. A branch the warm-up never takes is compiled as a trap that throws
         * the compiled code away when the timed part first takes it, which is why the warm-up also records into a
         * (discarded) sample of the timed part's size. This does not keep the JIT out of the timed part: code run once
         * per poll (the broker's, with an embedded one) may reach the JIT's thresholds only then.
         */
        private void drive(Consumer c, long n, Tally t, Acks acks, LatencySample roundTrip, boolean withPoll,
                String phase) throws IOException {
            long lastProgressNanos = System.nanoTime();
            while (t.received < n) {
                if (step(c, n, t, acks, roundTrip, withPoll)) {
                    lastProgressNanos = System.nanoTime();
                } else if (System.nanoTime() - lastProgressNanos > REQUEST_TIMEOUT_MS * 1_000_000L) {
                    throw new IOException("only " + t.received + " of the " + phase + "'s " + n + " messages "
                            + "arrived; none for " + REQUEST_TIMEOUT_MS + " ms (is the topic filled?)");
                }
            }
        }

        /** One poll of at most what is left of {@code n}, handled and acked; false if it returned nothing. */
        private boolean step(Consumer c, long n, Tally t, Acks acks, LatencySample roundTrip, boolean withPoll)
                throws IOException {
            long t0 = System.nanoTime();
            List<Message> batch = c.poll(Duration.ofMillis(500), (int) Math.min(maxPoll, n - t.received));
            if (batch.isEmpty()) {
                return false;
            }
            long polled = System.nanoTime();
            acks.reap();
            work(batch.size()); // the handler, before the acks
            if (withPoll) {
                if (t.polls > 0) {
                    roundTrip.record(t.polls - 1, polled - t0);
                }
                acks.riding.add(c.ackWithNextPoll(batch));
            } else {
                long t1 = System.nanoTime();
                acks.refused += refused(c.ack(batch));
                roundTrip.record(t.polls, System.nanoTime() - t1);
            }
            t.polls++;
            t.received += batch.size();
            for (Message m : batch) {
                t.bytes += m.value() == null ? 0 : m.value().length;
            }
            return true;
        }

        private boolean fetchingAhead() {
            return (fetchMax == null ? Consumer.FETCH_MAX_MESSAGES_DEFAULT : fetchMax) > maxPoll;
        }

        /** --work-ns per message of a batch, spent on this thread as a handler would. */
        private void work(int messages) {
            if (workNs <= 0) {
                return;
            }
            long until = System.nanoTime() + workNs * messages;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }
}
