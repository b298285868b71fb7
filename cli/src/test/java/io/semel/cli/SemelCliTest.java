package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.client.Producer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Semel.run} against a real broker on an ephemeral port, as a user would type the commands. */
class SemelCliTest {
    @TempDir
    Path dataDir;

    Broker broker;
    String address;

    /** Exit status and both streams of one run. */
    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws IOException {
        broker = Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).shutdownTimeoutMs(5_000).build());
        address = broker.host() + ":" + broker.port();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Run semel(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Semel.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs a client command against the test broker. */
    private Run client(String stdin, String... args) {
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--broker", address, "--timeout", "10s"))
                .toArray(String[]::new);
        return semel(stdin, all);
    }

    private static void assertOneErrorLine(Run r, int exit, String contains) {
        assertThat(r.exit()).as("exit; stderr: %s", r.err()).isEqualTo(exit);
        assertThat(r.err()).startsWith("semel: error: ").contains(contains);
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void topicCreateListDescribe() {
        Run created = client("", "topic", "create", "orders", "--partitions", "3");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).isEqualTo("created topic orders with 3 partition(s)\n");

        Run list = client("", "topic", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out().lines().toList()).containsExactly("TOPIC       PARTITIONS", "orders      3",
                "orders.dlq  1");

        Run describe = client("", "topic", "describe", "orders");
        assertThat(describe.exit()).isZero();
        List<String> lines = describe.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("topic orders: 3 partition(s), 0 record(s)");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(2).split("\\s+")).containsExactly("0", "0", "0", "0");
    }

    @Test
    void linesProducedFromStdinAreConsumedWithPartitionOffsetAndDeliveryCount() {
        client("", "topic", "create", "t", "--partitions", "2");
        Run produced = client("alice:hello\nbob:world\nno-key-line\n", "produce", "t", "--parse-key");
        assertThat(produced.exit()).as(produced.err()).isZero();
        assertThat(produced.out()).startsWith("produced 3 message(s) to t (exactly-once)")
                .contains("3 confirmed (0 duplicates), 0 failed, 0 unknown");

        Run consumed = client("", "consume", "t", "--group", "g", "--count", "3");
        assertThat(consumed.exit()).as(consumed.err()).isZero();
        List<String> lines = consumed.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines).anyMatch(l -> l.matches("partition=[01] offset=\\d+ delivery=1 key=alice value=hello"))
                .anyMatch(l -> l.matches("partition=[01] offset=\\d+ delivery=1 key=bob value=world"))
                .anyMatch(l -> l.matches("partition=[01] offset=\\d+ delivery=1 key=- value=no-key-line"));
        assertThat(client("", "topic", "describe", "t").out()).contains("3 record(s)");
    }

    @Test
    void shortConsumeRunsLeaseOnlyWhatTheyPrintAndSendNothingToTheDeadLetterTopic() {
        client("", "topic", "create", "t");
        assertThat(client("", "produce", "t", "--count", "40", "--size", "10").exit()).isZero();
        java.util.Set<String> offsets = new java.util.HashSet<>();
        // maxDeliveries is 5: seven short runs would have dead-lettered everything they leased and never printed.
        for (int run = 0; run < 7; run++) {
            Run consumed = client("", "consume", "t", "--group", "g", "--count", "3");
            assertThat(consumed.exit()).as("run %d: %s", run, consumed.err()).isZero();
            for (String line : consumed.out().lines().toList()) {
                assertThat(line).as("run %d", run).contains(" delivery=1 ");
                assertThat(offsets.add(line.replaceAll(".*offset=(\\d+).*", "$1"))).as("printed once: %s", line).isTrue();
            }
        }
        assertThat(offsets).hasSize(21);
        assertThat(client("", "topic", "describe", "t.dlq").out()).contains("0 record(s)");
    }

    @Test
    void generatedMessagesWithKeyPatternAndAtLeastOnce() {
        client("", "topic", "create", "t");
        Run produced = client("", "produce", "t", "--count", "50", "--size", "10", "--key-pattern", "user-{i}",
                "--guarantee", "at-least-once");
        assertThat(produced.exit()).as(produced.err()).isZero();
        assertThat(produced.out()).contains("50 confirmed").contains("(at-least-once)");
        assertThat(produced.err()).as("no progress bar on a non-terminal stderr").isEmpty();

        Run consumed = client("", "consume", "t", "--group", "g", "--count", "2", "--guarantee", "at-most-once");
        assertThat(consumed.out().lines().toList()).containsExactly(
                "partition=0 offset=0 delivery=1 key=user-0 value=xxxxxxxxxx",
                "partition=0 offset=1 delivery=1 key=user-1 value=xxxxxxxxxx");
    }

    @Test
    void inspectShowsSegmentsProducersAndConsumerGroups() {
        client("", "topic", "create", "t", "--partitions", "2");
        assertThat(client("a:1\nb:2\nc:3\n", "produce", "t", "--parse-key").exit()).isZero();
        assertThat(client("", "consume", "t", "--group", "billing", "--count", "3").exit()).isZero();
        sendAsRelay("relay", "t");
        broker.close(); // inspection is read-only, but read a quiet directory for stable numbers

        Run r = semel("", "inspect", "--data-dir", dataDir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        // The CLI's one-shot producer released its registration on close; the relay keeps its own.
        assertThat(r.out()).contains("producers: 1 registered").contains("topic t: 2 partition(s)")
                .containsPattern("id 1 +epoch 0 +last active 20\\d\\d-.* relay\\n")
                .containsPattern("last sequence per partition \\(as of each partition's snapshot\\): t-\\d: 0")
                .contains("group billing on topic t (2 partition(s))");
        long settled = r.out().lines().filter(l -> l.contains("partition ") && l.contains("ack floor"))
                .mapToLong(l -> Long.parseLong(l.replaceAll(".*ack floor (\\d+),.*", "$1"))).sum();
        assertThat(settled).as("acked messages are below the ack floors").isEqualTo(3);
    }

    /** One message from a long-lived named producer (it keeps its registration on close). */
    private void sendAsRelay(String name, String topic) {
        try (Producer p = Producer.builder(address).name(name).build()) {
            assertThat(p.send(topic, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8))
                    .get(30, TimeUnit.SECONDS).offset()).isNotNegative();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void produceReleasesItsProducerRegistrationOnClose() {
        client("", "topic", "create", "t");
        for (int i = 0; i < 3; i++) {
            assertThat(client("x\n", "produce", "t").exit()).isZero();
        }
        Run list = client("", "producers", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).as("three one-shot runs leave no registration behind").contains("0 producer(s)");
    }

    @Test
    void producersListShowsSequencesAndRemoveIsIdempotent() {
        client("", "topic", "create", "t");
        sendAsRelay("orders-relay", "t");
        Run list = client("", "producers", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("0 +0 +20\\d\\d-\\S+Z +active +orders-relay")
                .contains("t-0: last sequence 0").contains("1 producer(s)");
        assertThat(client("", "producers", "remove", "orders-relay").out()).contains("removed producer orders-relay");
        assertThat(client("", "producers", "remove", "orders-relay").out()).contains("was not registered");
        assertThat(client("", "producers", "list").out()).contains("0 producer(s)");
    }

    @Test
    void produceRefusedAtTheProducerLimitEndsWithinItsTimeout() throws IOException {
        broker.close();
        broker = Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).shutdownTimeoutMs(5_000)
                .producersMax(1).build());
        address = broker.host() + ":" + broker.port();
        client("", "topic", "create", "t");
        sendAsRelay("holds-the-only-slot", "t");
        long started = System.nanoTime();
        Run r = semel("x\n", "produce", "t", "--broker", address, "--timeout", "2s");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(r.exit()).as("stdout %s stderr %s", r.out(), r.err()).isNotZero();
        assertThat(r.out() + r.err()).contains("TOO_MANY_PRODUCERS");
        assertThat(tookMs).as("bounded by --timeout 2s (plus start-up), not forever").isLessThan(20_000);
    }

    @Test
    void unknownTopicIsOneErrorLine() {
        assertOneErrorLine(client("x\n", "produce", "nope"), 1, "UNKNOWN_TOPIC_OR_PARTITION");
        assertOneErrorLine(client("", "topic", "describe", "nope"), 1, "'nope'");
    }

    @Test
    void invalidTopicNameIsOneErrorLine() {
        assertOneErrorLine(client("", "topic", "create", "a/b"), 1, "illegal character '/'");
    }

    @Test
    void existingTopicIsOneErrorLine() {
        client("", "topic", "create", "t");
        assertOneErrorLine(client("", "topic", "create", "t"), 1, "TOPIC_ALREADY_EXISTS");
    }

    @Test
    void unreachableBrokerIsOneErrorLine() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Run r = semel("", "topic", "list", "--broker", "127.0.0.1:" + freePort, "--timeout", "2s");
        assertOneErrorLine(r, 1, "could not connect to broker 127.0.0.1:" + freePort);
    }

    @Test
    void badUsageExitsTwoWithOneLine() {
        assertOneErrorLine(semel("", "topic", "create"), 2, "Missing required parameter");
        assertOneErrorLine(semel("", "produce", "t", "--guarantee", "twice"), 2, "not a guarantee");
        assertOneErrorLine(semel("", "consume", "t"), 2, "--group");
        assertOneErrorLine(semel("", "produce", "t", "--timeout", "soon"), 2, "not a duration");
    }

    @Test
    void benchProducePrintsSetupAndFigures() {
        client("", "topic", "create", "b", "--partitions", "2");
        Run r = semel("", "bench", "produce", "--count", "2000", "--producers", "2", "--broker", address,
                "--topic", "b");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("setup: bench produce, 2000 messages x 100 B, topic b")
                .contains("2 producer(s)", "batch 65536 B", "linger 1 ms", "keyless sticky 655360 B", "exactly-once",
                        "durability");
        assertThat(lines.get(1)).startsWith("result: 2000 confirmed in ")
                .containsPattern("msgs/s, [0-9.]+ MB/s; send-to-confirm latency p50 [0-9.]+ ms, p99 [0-9.]+ ms, "
                        + "max [0-9.]+ ms; 0 failed");
        assertThat(client("", "topic", "describe", "b").out()).contains("2000 record(s)");
    }

    @Test
    void benchProduceEmbeddedNamesTheFlushPolicy() {
        Run r = semel("", "bench", "produce", "--count", "500", "--partitions", "2", "--keyless-stick-bytes", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("keyless round-robin")
                .contains("durability fsync-before-confirm, broker embedded in-process");
    }

    @Test
    void benchConsumeAcksEveryMessage() {
        Run r = semel("", "bench", "consume", "--count", "1000", "--partitions", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("setup: bench consume, 1000 messages", "acks riding on the next poll",
                        "fetching ahead up to 4000 (the consumer's default) per POLL")
                .containsPattern("result: 1000 consumed and acked in [0-9.]+ s")
                .contains("time in a poll (a round trip carrying the acks when the fetched messages ran out");
        Run plain = semel("", "bench", "consume", "--count", "600", "--fetch-max", "500");
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(plain.out()).doesNotContain("fetching ahead")
                .containsPattern("result: 600 consumed and acked in [0-9.]+ s: .*; 2 polls;")
                .contains("round trip of a poll carrying the previous batch's acks");
        Run sync = semel("", "bench", "consume", "--count", "500", "--max-poll", "100", "--ack", "sync");
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("in an ACK request before the next poll", "ack latency per poll batch")
                .containsPattern("result: 500 consumed and acked in [0-9.]+ s: .*; 5 polls;")
                .contains("; no warm-up; this JVM in the timed part: JIT compiling ");
        // --warmup: the topic holds warmup + count; only the count after the warmup is timed and reported
        Run warm = semel("", "bench", "consume", "--warmup", "250", "--count", "300", "--max-poll", "100", "--ack", "sync");
        assertThat(warm.exit()).as(warm.err()).isZero();
        assertThat(warm.out()).contains("setup: bench consume, 300 messages after 250 untimed")
                .containsPattern("result: 300 consumed and acked in [0-9.]+ s: .*; 3 polls;")
                .containsPattern("; before the clock: JIT (quiet|still compiling) after [0-9,]+ ms; this JVM in the "
                        + "timed part: JIT compiling \\d+ ms, \\d+ GCs? \\d+ ms");
        Run bad = semel("", "bench", "consume", "--ack", "later");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--ack is with-poll or sync, not 'later'");
    }

    @Test
    void everyCommandGroupAnswersHelp() {
        for (String group : List.of("broker", "topic", "bench", "producers")) {
            Run r = semel("", group, "--help");
            assertThat(r.exit()).as("%s --help: %s", group, r.err()).isZero();
            assertThat(r.out()).startsWith("Usage: semel " + group);
        }
    }

    @Test
    void badValuesAreUsageErrorsThatNameTheSetting() throws IOException {
        assertOneErrorLine(semel("", "topic", "list", "--broker", "nohostport"), 2, "is not HOST:PORT (e.g. localhost:7471)");
        assertOneErrorLine(semel("", "topic", "list", "--broker", "h:99999"), 2, "outside 1..65535");
        assertOneErrorLine(client("", "topic", "create", "t", "--partitions", "0"), 2, "--partitions must be >= 1");
        Path file = java.nio.file.Files.createFile(dataDir.resolve("a-file"));
        assertOneErrorLine(semel("", "broker", "start", "--data-dir", file.toString()), 2, "is a file, not a directory");
        assertOneErrorLine(semel("", "broker", "start", "--data-dir", dataDir.resolve("d").toString(), "--config",
                dataDir.resolve("none.properties").toString()), 2, "--config " + dataDir.resolve("none.properties")
                + " does not exist");
        assertOneErrorLine(semel("", "broker", "start", "--data-dir", dataDir.resolve("d").toString(), "--port",
                "70000"), 2, "--port 70000 is outside 0..65535");
        assertOneErrorLine(semel("", "broker", "start", "--data-dir", dataDir.resolve("d").toString(),
                "--metrics-port", "70000"), 2, "--metrics-port 70000 is outside 0..65535");
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertOneErrorLine(semel("", "broker", "start", "--data-dir", dataDir.resolve("m").toString(), "--port",
                    "0", "--metrics-port", Integer.toString(taken.getLocalPort())), 1,
                    "cannot serve metrics on 127.0.0.1:" + taken.getLocalPort());
        }
        assertOneErrorLine(semel("", "broker", "start", "--data-dir", dataDir.resolve("d").toString(), "--console-port",
                "70000"), 2, "--console-port 70000 is outside 0..65535");
        assertOneErrorLine(semel("", "broker", "start", "--data-dir", dataDir.resolve("d").toString(), "--console-port",
                "0", "--console-password-file", dataDir.resolve("none").toString()), 2, "--console-password-file "
                + dataDir.resolve("none") + " is not a readable file of user:password lines");
    }

    @Test
    void fileErrorsSayWhatIsWrongWithThePath() {
        assertThat(Semel.oneLine(new java.nio.file.NoSuchFileException("/x/y")))
                .isEqualTo("/x/y: no such file or directory");
        assertThat(Semel.oneLine(new java.io.IOException("wrapped", new java.nio.file.AccessDeniedException("/ro"))))
                .isEqualTo("wrapped");
        assertThat(Semel.oneLine(new RuntimeException(new java.nio.file.AccessDeniedException("/ro"))))
                .isEqualTo("/ro: permission denied");
    }

    @Test
    void consumeWithHeadersShowsWhyAMessageWasDeadLettered() throws Exception {
        client("", "topic", "create", "t");
        assertThat(client("poison\n", "produce", "t").exit()).isZero();
        try (io.semel.client.Consumer c = io.semel.client.Consumer.builder(address).group("g").topic("t").build()) {
            int nacked = 0;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (nacked < BrokerConfig.builder(dataDir).build().groupConfig().maxDeliveries()) {
                assertThat(System.nanoTime()).as("all deliveries nacked in time").isLessThan(deadline);
                for (io.semel.client.Message m : c.poll(java.time.Duration.ofMillis(500))) {
                    c.nack(m, "handler says no");
                    nacked++;
                }
            }
        }
        Run dlq = client("", "consume", "t.dlq", "--group", "ops", "--count", "1", "--headers");
        assertThat(dlq.exit()).as(dlq.err()).isZero();
        assertThat(dlq.out()).contains("value=poison").contains("header.semel.dlq.error=handler says no")
                .contains("header.semel.dlq.reason=max-deliveries-exceeded");
    }
}
