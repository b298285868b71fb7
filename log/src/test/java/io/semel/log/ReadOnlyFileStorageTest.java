package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.log.producer.ProducerRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadOnlyFileStorageTest {
    @TempDir
    Path dir;

    @Test
    void readsWhatFileStorageWroteAndChangesNothing() throws IOException {
        ProducerRegistry written = ProducerRegistry.open(new FileStorage(dir), 10);
        written.initProducer("orders-app");
        Map<Path, FileTime> before = modified(dir);

        ProducerRegistry read = ProducerRegistry.open(new ReadOnlyFileStorage(dir), 10);

        assertThat(read.entries()).extracting(ProducerRegistry.Entry::name).containsExactly("orders-app");
        assertThat(modified(dir)).isEqualTo(before);
    }

    @Test
    void everyMutationIsRefusedAndNothingIsCreated() throws IOException {
        Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        ReadOnlyFileStorage storage = new ReadOnlyFileStorage(dir);
        try (StorageFile f = storage.open("f")) {
            ByteBuffer b = ByteBuffer.allocate(3);
            assertThat(f.read(0, b)).isEqualTo(3);
            assertThatThrownBy(() -> f.write(0, ByteBuffer.wrap(new byte[] {9}))).hasMessageContaining("read-only");
            assertThatThrownBy(f::force).hasMessageContaining("read-only");
            assertThatThrownBy(() -> f.truncate(0)).hasMessageContaining("read-only");
        }
        assertThatThrownBy(() -> storage.delete("f")).hasMessageContaining("read-only");
        assertThatThrownBy(() -> storage.rename("f", "g")).hasMessageContaining("read-only");
        assertThatThrownBy(storage::syncDirectory).hasMessageContaining("read-only");
        assertThatThrownBy(() -> storage.open("missing")).isInstanceOf(NoSuchFileException.class);
        assertThat(storage.list()).containsExactly("f");
        assertThat(Files.readAllBytes(dir.resolve("f"))).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> new ReadOnlyFileStorage(dir.resolve("nope"))).isInstanceOf(NoSuchFileException.class);
        assertThat(Files.exists(dir.resolve("nope"))).isFalse();
    }

    private static Map<Path, FileTime> modified(Path dir) throws IOException {
        Map<Path, FileTime> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                out.put(p, Files.getLastModifiedTime(p));
            }
        }
        return out;
    }
}
