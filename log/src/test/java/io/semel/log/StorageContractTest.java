package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The semantics every {@link Storage} must have; one subclass per implementation. */
abstract class StorageContractTest {
    protected Storage storage;

    protected abstract Storage newStorage() throws IOException;

    @BeforeEach
    void setUp() throws IOException {
        storage = newStorage();
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String readAll(StorageFile file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) file.size());
        int n = file.read(0, buf);
        assertThat(n).isIn(buf.capacity(), buf.capacity() == 0 ? -1 : buf.capacity());
        return new String(buf.array(), StandardCharsets.UTF_8);
    }

    @Test
    void openCreatesAnEmptyFileThatIsListed() throws IOException {
        assertThat(storage.exists("a")).isFalse();
        try (StorageFile f = storage.open("a")) {
            assertThat(f.size()).isZero();
        }
        assertThat(storage.exists("a")).isTrue();
        assertThat(storage.list()).containsExactly("a");
    }

    @Test
    void writtenBytesAreReadBackAtTheirPosition() throws IOException {
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("hello"));
            f.write(5, bytes(" world"));
            f.write(0, bytes("J"));
            assertThat(f.size()).isEqualTo(11);
            assertThat(readAll(f)).isEqualTo("Jello world");
            ByteBuffer middle = ByteBuffer.allocate(3);
            assertThat(f.read(6, middle)).isEqualTo(3);
            assertThat(new String(middle.array(), StandardCharsets.UTF_8)).isEqualTo("wor");
        }
    }

    @Test
    void contentSurvivesCloseAndReopen() throws IOException {
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("kept"));
            f.force();
        }
        try (StorageFile f = storage.open("a")) {
            assertThat(readAll(f)).isEqualTo("kept");
        }
    }

    @Test
    void readAtOrPastTheEndReturnsMinusOneAndAShortReadReturnsWhatExists() throws IOException {
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("abc"));
            assertThat(f.read(3, ByteBuffer.allocate(4))).isEqualTo(-1);
            assertThat(f.read(10, ByteBuffer.allocate(4))).isEqualTo(-1);
            ByteBuffer dst = ByteBuffer.allocate(10);
            assertThat(f.read(1, dst)).isEqualTo(2);
            assertThat(dst.position()).isEqualTo(2);
        }
    }

    @Test
    void writingPastTheEndFillsTheGapWithZeros() throws IOException {
        try (StorageFile f = storage.open("a")) {
            f.write(4, bytes("x"));
            ByteBuffer all = ByteBuffer.allocate(5);
            f.read(0, all);
            assertThat(all.array()).containsExactly(0, 0, 0, 0, 'x');
        }
    }

    @Test
    void truncateShortensTheFileAndIgnoresALargerSize() throws IOException {
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("abcdef"));
            f.truncate(10);
            assertThat(f.size()).isEqualTo(6);
            f.truncate(2);
            assertThat(f.size()).isEqualTo(2);
            assertThat(readAll(f)).isEqualTo("ab");
        }
    }

    @Test
    void listIsSortedAndDeleteRemovesAndToleratesMissingFiles() throws IOException {
        for (String name : new String[] {"c", "a", "b"}) {
            storage.open(name).close();
        }
        assertThat(storage.list()).containsExactly("a", "b", "c");
        storage.delete("b");
        storage.delete("missing");
        assertThat(storage.list()).containsExactly("a", "c");
        assertThat(storage.exists("b")).isFalse();
    }

    @Test
    void renameReplacesTheTarget() throws IOException {
        try (StorageFile f = storage.open("new")) {
            f.write(0, bytes("new content"));
        }
        try (StorageFile f = storage.open("target")) {
            f.write(0, bytes("old"));
        }
        storage.rename("new", "target");
        storage.syncDirectory();
        assertThat(storage.list()).containsExactly("target");
        try (StorageFile f = storage.open("target")) {
            assertThat(readAll(f)).isEqualTo("new content");
        }
    }

    @Test
    void renamingAMissingFileFails() {
        assertThatThrownBy(() -> storage.rename("missing", "x")).isInstanceOf(IOException.class);
    }

    @Test
    void aClosedFileRefusesIo() throws IOException {
        StorageFile f = storage.open("a");
        f.close();
        assertThatThrownBy(() -> f.write(0, bytes("x"))).isInstanceOf(IOException.class);
        assertThatThrownBy(f::size).isInstanceOf(IOException.class);
    }

    @Test
    void namesThatLeaveTheDirectoryAreRejected() {
        assertThatThrownBy(() -> storage.open("../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.open("..")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forceAndSyncDirectoryKeepContentUnchanged() throws IOException {
        try (StorageFile f = storage.open("a")) {
            f.write(0, bytes("data"));
            f.force();
            storage.syncDirectory();
            assertThat(readAll(f)).isEqualTo("data");
        }
    }
}
