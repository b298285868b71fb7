package io.semel.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.verify.process.ChildProcess;
import io.semel.verify.process.ChildSpec;
import io.semel.verify.process.CounterMain;
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

    private ChildProcess counter(String name, List<String> jvmOptions) throws Exception {
        return ChildProcess.start(ChildSpec.of(name, CounterMain.class.getName(), dir, "READY").withHeapMb(32)
                .withJvmOptions(jvmOptions), e -> { });
    }

    @Test
    void aPausedChildIsSkippedAtOnceNotWaitedFor() throws Exception {
        // A stopped JVM never answers the attach: jcmd would wait for it and leave an error in the file.
        StringWriter logText = new StringWriter();
        try (ChildProcess paused = counter("paused", List.of())) {
            paused.pause();
            long start = System.nanoTime();
            ThreadDumps.write(dir, List.of(paused), new PrintWriter(logText, true));
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
            assertThat(dir.resolve("threads-paused.txt")).doesNotExist();
            assertThat(logText.toString()).isEmpty();
            paused.resume();
        }
    }

    @Test
    void aJcmdThatFailsIsLoggedAsAFailureNotAsADump() throws Exception {
        // A VM that refuses the attach: jcmd exits 1 with its error in the file, which is no thread dump.
        StringWriter logText = new StringWriter();
        try (ChildProcess refusing = counter("refusing", List.of("-XX:+DisableAttachMechanism"))) {
            ThreadDumps.write(dir, List.of(refusing), new PrintWriter(logText, true));
            assertThat(Files.readString(dir.resolve("threads-refusing.txt"))).doesNotContain("Full thread dump");
            assertThat(logText.toString()).contains("thread dump of refusing failed (jcmd exit 1)")
                    .doesNotContain("(pid ");
        }
    }
}
