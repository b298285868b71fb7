package io.semel.log;

import static io.semel.log.StorageContractTest.bytes;
import static io.semel.log.StorageContractTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedStorageTest {
    private final SimulatedStorage storage = new SimulatedStorage();

    private void createDurably(String name, String content) throws IOException {
        try (StorageFile f = storage.open(name)) {
            f.write(0, bytes(content));
            f.force();
        }
        storage.syncDirectory();
    }

    private String content(String name) throws IOException {
        try (StorageFile f = storage.open(name)) {
            return readAll(f);
        }
    }

    @Test
    void crashLosesUnforcedBytesAndKeepsForcedOnes() throws IOException {
        createDurably("a", "forced");
        try (StorageFile f = storage.open("a")) {
            f.write(6, bytes("+lost"));
            f.write(0, bytes("F"));
        }
        storage.crash();
        assertThat(content("a")).isEqualTo("forced");
    }

    @Test
    void crashRevertsAnUnforcedTruncate() throws IOException {
        createDurably("a", "abcdef");
        try (StorageFile f = storage.open("a")) {
            f.truncate(2);
        }
        storage.crash();
        assertThat(content("a")).isEqualTo("abcdef");
    }

    @Test
    void crashRevertsUnsyncedCreateRenameAndDelete() throws IOException {
        createDurably("renamed-from", "r");
        createDurably("deleted", "d");
        try (StorageFile f = storage.open("created")) {
            f.write(0, bytes("c"));
            f.force(); // content durable, but not the name
        }
        storage.rename("renamed-from", "renamed-to");
        storage.delete("deleted");
        storage.crash();
        assertThat(storage.list()).containsExactly("deleted", "renamed-from");
        assertThat(content("renamed-from")).isEqualTo("r");
    }

    @Test
    void syncDirectoryMakesNamesDurable() throws IOException {
        createDurably("a", "x");
        storage.rename("a", "b");
        storage.syncDirectory();
        storage.crash();
        assertThat(storage.list()).containsExactly("b");
    }

    @Test
    void crashInvalidatesOpenHandles() throws IOException {
        createDurably("a", "x");
        StorageFile f = storage.open("a");
        storage.crash();
        assertThatThrownBy(() -> f.write(0, bytes("y"))).isInstanceOf(IOException.class).hasMessageContaining("crash");
        assertThatThrownBy(f::size).isInstanceOf(IOException.class);
    }

    @Test
    void tornWriteKeepsAPrefixOfTheLastUnforcedWriteOnly() throws IOException {
        Set<Integer> keptLengths = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            SimulatedStorage s = new SimulatedStorage();
            try (StorageFile f = s.open("a")) {
                f.write(0, bytes("base"));
                f.force();
                f.write(4, bytes("-first"));
                f.write(10, bytes("0123456789"));
            }
            s.syncDirectory();
            Optional<SimulatedStorage.TornWrite> torn = s.crash(seed);
            assertThat(torn).isPresent();
            int kept = torn.get().keptBytes();
            assertThat(torn.get().writeBytes()).isEqualTo(10);
            assertThat(torn.get().position()).isEqualTo(10);
            keptLengths.add(kept);
            try (StorageFile f = s.open("a")) {
                String expected = kept == 0 ? "base" : "base" + "\0".repeat(6) + "0123456789".substring(0, kept);
                assertThat(readAll(f)).isEqualTo(expected);
            }
        }
        assertThat(keptLengths).contains(0, 10).hasSizeGreaterThan(5);
    }

    @Test
    void tornCrashWithoutUnforcedWritesIsAPlainCrash() throws IOException {
        createDurably("a", "x");
        assertThat(storage.crash(42)).isEmpty();
        assertThat(content("a")).isEqualTo("x");
    }

    @Test
    void flipBitChangesDurableAndCurrentContent() throws IOException {
        createDurably("a", "A");
        storage.flipBit("a", 0, 1); // 'A' 0x41 -> 'C' 0x43
        assertThat(content("a")).isEqualTo("C");
        storage.crash();
        assertThat(content("a")).isEqualTo("C");
        assertThatThrownBy(() -> storage.flipBit("a", 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 1");
    }

    @Test
    void failedForceThrowsOnceAndMakesNothingDurable() throws IOException {
        createDurably("a", "old");
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("new"));
            storage.failNextForce(new IOException("EIO"));
            assertThatThrownBy(f::force).hasMessage("EIO");
            storage.crash();
        }
        assertThat(content("a")).isEqualTo("old");
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("new"));
            f.force(); // the failure was for one call only
        }
        storage.crash();
        assertThat(content("a")).isEqualTo("new");
    }

    @Test
    void writeBeyondCapacityThrowsStorageFullAndWritesNothing() throws IOException {
        storage.setCapacityBytes(8);
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("12345"));
            long before = storage.bytesWritten();
            assertThatThrownBy(() -> f.write(5, bytes("6789"))).isInstanceOf(StorageFullException.class)
                    .hasMessageContaining("8");
            assertThat(f.size()).isEqualTo(5);
            assertThat(storage.bytesWritten()).isEqualTo(before);
            f.write(0, bytes("abcde")); // overwriting needs no space
            assertThat(readAll(f)).isEqualTo("abcde");
        }
    }

    @Test
    void countersCountForcesSyncsAndBytes() throws IOException {
        createDurably("a", "xyz");
        assertThat(storage.forceCount()).isEqualTo(1);
        assertThat(storage.directorySyncCount()).isEqualTo(1);
        assertThat(storage.bytesWritten()).isEqualTo(3);
        assertThat(storage.usedBytes()).isEqualTo(3);
    }
}
