package io.semel.processor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
    @TempDir
    Path dir;

    private static Snapshot snap(long index, String state) {
        return new Snapshot(index, Map.of(0, index * 10, 2, index * 20), state.getBytes(StandardCharsets.UTF_8));
    }

    private static String state(Snapshot s) {
        return new String(s.state(), StandardCharsets.UTF_8);
    }

    private Path file(long index) {
        return dir.resolve(String.format("snapshot-%020d.snap", index));
    }

    @Test
    void writesReadBackAndOnlyTheNewestTwoAreKept() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        assertThat(store.loadNewest()).isEmpty();
        for (long i = 1; i <= 5; i++) {
            store.write(snap(i, "s" + i));
        }
        Snapshot s = store.loadNewest().orElseThrow();
        assertThat(s.index()).isEqualTo(5);
        assertThat(s.positions()).isEqualTo(Map.of(0, 50L, 2, 100L));
        assertThat(state(s)).isEqualTo("s5");
        assertThat(store.indexes()).containsExactly(4L, 5L);
    }

    @Test
    void aCorruptNewestSnapshotFallsBackToTheOlderOneAndThenToNone() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        store.write(snap(1, "old"));
        store.write(snap(2, "new"));
        byte[] bytes = Files.readAllBytes(file(2));
        bytes[bytes.length / 2] ^= 0x10; // one flipped bit
        Files.write(file(2), bytes);
        assertThat(state(store.loadNewest().orElseThrow())).isEqualTo("old");
        // Truncated older one too: nothing valid, so a full replay.
        byte[] old = Files.readAllBytes(file(1));
        Files.write(file(1), java.util.Arrays.copyOf(old, old.length - 3));
        assertThat(store.loadNewest()).isEmpty();
    }

    @Test
    void aHalfWrittenTempFileIsIgnoredAndRemovedByTheNextWrite() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        store.write(snap(1, "good"));
        byte[] next = SnapshotStore.encode(snap(2, "partial"));
        Path tmp = dir.resolve(String.format("snapshot-%020d.snap.tmp", 2));
        Files.write(tmp, java.util.Arrays.copyOf(next, next.length / 2));
        assertThat(state(new SnapshotStore(dir).loadNewest().orElseThrow())).isEqualTo("good");
        store.write(snap(2, "complete"));
        assertThat(Files.exists(tmp)).isFalse();
        assertThat(state(store.loadNewest().orElseThrow())).isEqualTo("complete");
    }

    @Test
    void aCrashBetweenTempWriteAndRenameLeavesThePreviousSnapshotValid() throws IOException {
        new SnapshotStore(dir).write(snap(1, "before"));
        SnapshotStore crashing = new SnapshotStore(dir, name -> {
            if (name.equals(SnapshotStore.CRASH_AFTER_TEMP_WRITE_BEFORE_RENAME)) {
                throw new IllegalStateException("simulated crash at " + name);
            }
        });
        assertThatThrownBy(() -> crashing.write(snap(2, "after"))).hasMessageContaining("simulated crash");
        Snapshot s = new SnapshotStore(dir).loadNewest().orElseThrow();
        assertThat(s.index()).isEqualTo(1);
        assertThat(state(s)).isEqualTo("before");
    }

    @Test
    void decodeRejectsWrongMagicVersionAndLengths() {
        byte[] good = SnapshotStore.encode(snap(3, "x"));
        assertThat(SnapshotStore.decode(good).index()).isEqualTo(3);
        assertThatThrownBy(() -> SnapshotStore.decode(new byte[10])).isInstanceOf(IllegalArgumentException.class);
        byte[] extra = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> SnapshotStore.decode(extra)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CRC32C");
    }
}
