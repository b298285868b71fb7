package io.semel.verify.run.child;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * Main class of one Kafka node child JVM of the Kafka engine's cluster ({@code KafkaCluster} starts, kills,
 * pauses and restarts three of them): a KRaft node in combined mode (broker and controller), from the
 * {@code kafka_2.13} artifacts of the build — no Docker, no download.
 *
 * <p>Arguments: {@code --config <server.properties> --cluster-id <id>}. It formats the node's log directory
 * when it is not formatted yet ({@code kafka-storage format --ignore-formatted}, so a restart after SIGKILL keeps
 * its data), starts the server, prints {@value #READY} once {@code startup()} returned (the node joined the
 * quorum and its broker registered) and runs until killed.
 */
public final class KafkaBrokerChild {
    public static final String READY = "KAFKA-READY";

    private KafkaBrokerChild() {
    }

    public static void main(String[] argv) throws IOException {
        ChildArgs args = ChildArgs.parse(argv);
        Path config = Path.of(args.get("config"));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", args.get("cluster-id"), "-c", config.toString(),
            "--ignore-formatted"}, new PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            System.err.println("kafka-storage format of " + p.getProperty("log.dirs") + " failed with exit code " + rc
                    + ": " + out.toString(StandardCharsets.UTF_8));
            System.exit(2);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        server.startup();
        System.out.println(READY + " node " + p.getProperty("node.id"));
        System.out.flush();
        server.awaitShutdown();
    }
}
