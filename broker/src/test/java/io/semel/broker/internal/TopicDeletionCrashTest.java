package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.BrokerConfig;
import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A topic deletion that crashes between any two of its steps leaves, after recovery, either the
 * whole readable topic or nothing: never a directory that stops the broker from starting. The
 * crash is an IOException thrown by the test hook between steps; the manager is then abandoned
 * (like a dead process) and a new one recovers the same directory.
 */
class TopicDeletionCrashTest {
    private static final TopicManager.GroupDeleter NO_GROUPS = topics -> CompletableFuture.completedFuture(null);

    @TempDir
    Path dataDir;

    private TopicManager open() throws IOException {
        return TopicManager.open(BrokerConfig.builder(dataDir).build(), Clock.systemUTC());
    }

    private static void append(Topic t, int partition, String value) throws Exception {
        RecordBatch b = RecordBatch.of(System.currentTimeMillis(),
                List.of(new LogRecord(null, value.getBytes(StandardCharsets.UTF_8), List.of())));
        t.partition(partition).append(b, RecordBatch.NO_PRODUCER_EPOCH).get(10, TimeUnit.SECONDS);
    }

    private static long nextOffset(Topic t, int partition) throws Exception {
        return t.partition(partition).call(p -> p.nextOffset()).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"groups-deleted", "partitions-closed", "metadata-deleted", "partition-deleted"})
    void crashAtAnyStepLeavesTheWholeTopicOrNothing(String crashStep) throws Exception {
        TopicManager first = open();
        Topic t = first.create("orders", 3);
        for (int p = 0; p < 3; p++) {
            append(t, p, "v" + p);
        }
        first.deleteHook((step, topic) -> {
            // Crash on the topic itself (the dead-letter topic goes first and is deleted whole).
            if (step.equals(crashStep) && (topic.equals("orders") || step.equals("groups-deleted"))) {
                throw new IOException("simulated crash after " + step);
            }
        });
        assertThatThrownBy(() -> first.delete("orders", NO_GROUPS, 5_000)).hasMessageContaining("simulated crash");
        first.close();

        try (TopicManager recovered = open()) {
            Topic after = recovered.topic("orders");
            if (after == null) {
                assertThat(dataDir.resolve("topics/orders")).doesNotExist();
            } else {
                assertThat(after.partitionCount()).isEqualTo(3);
                for (int p = 0; p < 3; p++) {
                    assertThat(nextOffset(after, p)).as("partition %d keeps its record", p).isEqualTo(1);
                }
            }
            boolean beforeCommitPoint = crashStep.equals("groups-deleted") || crashStep.equals("partitions-closed");
            assertThat(after != null).as("topic present after a crash at %s", crashStep).isEqualTo(beforeCommitPoint);
            // Either way the name works again: delete what is there, or create it anew.
            if (after != null) {
                recovered.delete("orders", NO_GROUPS, 5_000);
            }
            Topic fresh = recovered.create("orders", 2);
            assertThat(nextOffset(fresh, 0)).isZero();
        }
    }

    @Test
    void deleteRemovesTopicAndDeadLetterTopicDirectories() throws Exception {
        try (TopicManager m = open()) {
            m.create("orders", 2);
            assertThat(m.topic("orders.dlq")).isNotNull();
            m.delete("orders", NO_GROUPS, 5_000);
            assertThat(m.topic("orders")).isNull();
            assertThat(m.topic("orders.dlq")).isNull();
        }
        try (var s = Files.list(dataDir.resolve("topics"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void partitionsLeftByAnAddThatCrashedBeforeItsCommitPointAreIgnoredAndReplaced() throws Exception {
        try (TopicManager m = open()) {
            Topic t = m.create("t", 1);
            append(t, 0, "a");
        }
        // An add that created partition 1's directory and a stray file, then crashed before the metadata.
        Files.createDirectories(dataDir.resolve("topics/t/1"));
        Files.writeString(dataDir.resolve("topics/t/1/stray"), "x");
        try (TopicManager m = open()) {
            assertThat(m.topic("t").partitionCount()).isEqualTo(1);
            Topic grown = m.addPartitions("t", 2);
            assertThat(nextOffset(grown, 1)).isZero();
            assertThat(dataDir.resolve("topics/t/1/stray")).doesNotExist();
        }
        try (TopicManager m = open()) {
            assertThat(m.topic("t").partitionCount()).isEqualTo(2);
            assertThat(nextOffset(m.topic("t"), 0)).isEqualTo(1);
        }
    }
}
