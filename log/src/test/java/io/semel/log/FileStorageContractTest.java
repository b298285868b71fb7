package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageContractTest extends StorageContractTest {
    @TempDir
    Path dir;

    @Override
    protected Storage newStorage() throws IOException {
        return new FileStorage(dir.resolve("nested/partition-0"));
    }

    @Test
    void constructorCreatesTheDirectoryAndListIgnoresSubdirectories() throws IOException {
        Path partition = dir.resolve("nested/partition-0");
        assertThat(partition).isDirectory();
        Files.createDirectory(partition.resolve("subdir"));
        storage.open("file").close();
        assertThat(storage.list()).containsExactly("file");
    }

    @Test
    void noSpaceMessagesBecomeStorageFullException() {
        IOException mapped = FileStorage.mapNoSpace(new IOException("No space left on device"), "writing x");
        assertThat(mapped).isInstanceOf(StorageFullException.class).hasMessageContaining("writing x");
        IOException other = new IOException("Input/output error");
        assertThat(FileStorage.mapNoSpace(other, "writing x")).isSameAs(other);
    }
}
