package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadDumpsTest {
    @TempDir
    Path dir;

    @Test
    void aLiveChildsThreadsAreWrittenIntoTheRunDirectory() throws Exception {
        StringWriter logText = new StringWriter();
        try (BrokerNode broker = BrokerNode.start(dir, VerifyConfig.Failover.FAST, e -> { })) {
            ThreadDumps.write(dir, List.of(broker.process()), new PrintWriter(logText, true));
            Path dump = dir.resolve("threads-" + broker.process().name() + ".txt");
            assertThat(dump).exists();
            // The broker's own threads, by the names CONCURRENCY.md gives them (no topic yet: no partition writer).
            assertThat(Files.readString(dump)).contains("Full thread dump").contains("group-coordinator");
            assertThat(logText.toString()).contains("thread dump of " + broker.process().name());
        }
    }

    @Test
    void aDeadChildIsSkipped() throws Exception {
        StringWriter logText = new StringWriter();
        try (BrokerNode broker = BrokerNode.start(dir, VerifyConfig.Failover.FAST, e -> { })) {
            broker.process().kill();
            ThreadDumps.write(dir, List.of(broker.process()), new PrintWriter(logText, true));
            assertThat(dir.resolve("threads-" + broker.process().name() + ".txt")).doesNotExist();
        }
    }
}
