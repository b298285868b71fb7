package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.group.GroupRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group journal over a real group log (files, fsync): one append in flight, units complete in order. */
class GroupJournalTest {
    @TempDir
    Path dir;
    private final ExecutorService coordinator = Executors.newSingleThreadExecutor();
    private GroupJournal journal;

    @AfterEach
    void close() throws Exception {
        coordinator.shutdown();
        assertThat(coordinator.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (journal != null) {
            journal.close();
        }
    }

    private void open() throws Exception {
        journal = GroupJournal.open(dir, 1 << 20, Long.MAX_VALUE, coordinator, Clock.systemUTC(), e -> { });
    }

    private static List<GroupRecord> record(long n) {
        return List.of(new GroupRecord.MemberIdIssued(n));
    }

    /**
     * A unit without records behind an append completes after that append's units, never before them
     * (alone behind it, or in front of units with records that make the next append).
     */
    @Test
    void aRecordlessUnitBehindAnAppendCompletesAfterItsUnits() throws Exception {
        open();
        List<String> order = new ArrayList<>();
        CompletableFuture<Void> alone = new CompletableFuture<>();
        coordinator.execute(() -> {
            journal.persist("g", record(1), () -> order.add("first"), alone::completeExceptionally);
            journal.persist("g", List.of(), () -> {
                order.add("empty alone");
                alone.complete(null);
            }, alone::completeExceptionally);
        });
        alone.get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("first", "empty alone");
        order.clear();
        CompletableFuture<Void> done = new CompletableFuture<>();
        coordinator.execute(() -> {
            journal.persist("g", record(1), () -> order.add("a"), done::completeExceptionally);
            journal.persist("g", List.of(), () -> order.add("empty"), done::completeExceptionally);
            journal.persist("g", record(2), () -> order.add("b"), done::completeExceptionally);
            journal.persist("g", List.of(), () -> {
                order.add("empty again");
                done.complete(null);
            }, done::completeExceptionally);
        });
        done.get(10, TimeUnit.SECONDS);
        assertThat(order).containsExactly("a", "empty", "b", "empty again");
        CompletableFuture<Boolean> idle = new CompletableFuture<>();
        coordinator.execute(() -> idle.complete(journal.idle()));
        assertThat(idle.get(10, TimeUnit.SECONDS)).isTrue();
    }
}
