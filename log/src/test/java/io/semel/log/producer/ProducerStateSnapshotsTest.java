package io.semel.log.producer;

import static io.semel.log.producer.TestPartition.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProducerStateSnapshotsTest {
    private final InMemoryTestStorage storage = new InMemoryTestStorage();
    private final ProducerStateSnapshots snapshots = new ProducerStateSnapshots(storage);
    private final TestPartition partition = new TestPartition(new ProducerStateTable(10, "p"));

    /** Appends one batch of producer 1 and snapshots the table at the log end; returns that offset. */
    private long appendAndSnapshot() throws IOException {
        partition.send(batch(1, 0, partition.table.highestSequence(1) + 1, 2, 10), 0);
        snapshots.write(partition.table, partition.nextOffset);
        return partition.nextOffset;
    }

    private void corrupt(long offset) {
        byte[] bytes = storage.bytes(ProducerStateSnapshots.fileName(offset));
        bytes[bytes.length - 1] ^= 1;
        storage.put(ProducerStateSnapshots.fileName(offset), bytes);
    }

    @Test
    void fileNameIsTheOffsetPaddedToTwentyDigits() {
        assertThat(ProducerStateSnapshots.fileName(1234)).isEqualTo("00000000000000001234.snapshot");
        assertThat(ProducerStateSnapshots.fileName(Long.MAX_VALUE)).isEqualTo("09223372036854775807.snapshot");
    }

    @Test
    void writtenSnapshotSurvivesACrashAndLoads() throws IOException {
        long offset = appendAndSnapshot();
        Optional<ProducerStateTable.Snapshot> loaded = new ProducerStateSnapshots(storage.afterCrash()).load();
        assertThat(loaded).contains(partition.table.snapshot(offset));
        assertThat(storage.list()).containsExactly(ProducerStateSnapshots.fileName(offset));
    }

    @Test
    void keepsOnlyTheTwoNewest() throws IOException {
        appendAndSnapshot();
        long second = appendAndSnapshot();
        long third = appendAndSnapshot();
        assertThat(snapshots.offsets()).containsExactly(third, second);
        assertThat(storage.afterCrash().list()).containsExactly(ProducerStateSnapshots.fileName(second),
                ProducerStateSnapshots.fileName(third));
        assertThat(snapshots.load()).contains(partition.table.snapshot(third));
    }

    @Test
    void fallsBackToTheOlderSnapshotWhenTheNewestIsCorruptAndDeletesIt() throws IOException {
        long older = appendAndSnapshot();
        ProducerStateTable.Snapshot expected = partition.table.snapshot(older);
        long newest = appendAndSnapshot();
        corrupt(newest);

        assertThat(snapshots.load()).contains(expected);
        assertThat(snapshots.offsets()).containsExactly(older);
        assertThat(storage.afterCrash().exists(ProducerStateSnapshots.fileName(newest))).isFalse();
    }

    @Test
    void emptyWhenEverySnapshotIsCorrupt() throws IOException {
        long older = appendAndSnapshot();
        long newest = appendAndSnapshot();
        corrupt(older);
        corrupt(newest);
        assertThat(snapshots.load()).isEmpty();
        assertThat(snapshots.offsets()).isEmpty();
    }

    @Test
    void emptyWhenThereAreNone() throws IOException {
        assertThat(snapshots.load()).isEmpty();
    }

    @Test
    void snapshotWhoseContentDisagreesWithItsNameIsCorrupt() throws IOException {
        long offset = appendAndSnapshot();
        storage.rename(ProducerStateSnapshots.fileName(offset), ProducerStateSnapshots.fileName(offset + 100));
        assertThat(snapshots.load()).isEmpty();
    }

    @Test
    void ignoresEveryFileThatIsNotASnapshot() throws IOException {
        List<String> others = List.of("00000000000000000000.log", "00000000000000000000.index",
                "00000000000000000009.snapshot.tmp", "notes.txt", "x.snapshot", "99999999999999999999.snapshot");
        for (String name : others) {
            storage.put(name, new byte[] {1, 2, 3});
        }
        appendAndSnapshot();
        appendAndSnapshot();
        long newest = appendAndSnapshot();
        snapshots.deleteSnapshotsAbove(0);
        assertThat(snapshots.load()).isEmpty();
        assertThat(storage.list()).containsExactlyInAnyOrderElementsOf(others);
        assertThat(newest).isPositive();
    }

    @Test
    void deleteSnapshotsAboveKeepsTheOneAtTheLogEndAndBelow() throws IOException {
        long older = appendAndSnapshot();
        long newest = appendAndSnapshot();
        snapshots.deleteSnapshotsAbove(older);
        assertThat(snapshots.offsets()).containsExactly(older);
        assertThat(storage.afterCrash().exists(ProducerStateSnapshots.fileName(newest))).isFalse();
    }

    @Test
    void aLongerScratchFileLeftByACrashDoesNotLeakIntoTheNextSnapshot() throws IOException {
        long next = 2;
        storage.put(ProducerStateSnapshots.fileName(next) + ".tmp", new byte[4096]);
        assertThat(appendAndSnapshot()).isEqualTo(next);
        assertThat(snapshots.load()).contains(partition.table.snapshot(next));
    }
}
