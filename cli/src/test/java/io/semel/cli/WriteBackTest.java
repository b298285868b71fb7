package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBackTest {

    @Test
    void everyFileUnderTheDirectoryIsForcedAndCounted(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a.log"), new byte[3_000]);
        Files.createDirectories(dir.resolve("topic-0"));
        Files.write(dir.resolve("topic-0/00000000000000000000.log"), new byte[5_000]);
        Files.write(dir.resolve("topic-0/00000000000000000000.index"), new byte[0]);

        WriteBack.Result r = WriteBack.settle(dir);

        assertThat(r.files()).isEqualTo(3);
        assertThat(r.bytes()).isEqualTo(8_000);
        assertThat(r.summary()).startsWith("3 files (0 MB) forced in ");
    }

    @Test
    void aDirectoryWithMoreFilesThanTheLimitIsRefusedBeforeAnyForce(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 4; i++) {
            Files.write(dir.resolve("f" + i), new byte[1]);
        }

        assertThat(WriteBack.settle(dir, 4).files()).isEqualTo(4);
        assertThatThrownBy(() -> WriteBack.settle(dir, 3)).isInstanceOf(IOException.class)
                .hasMessageContaining("holds more than 3 files");
    }

    @Test
    void aFileDeletedBetweenTheWalkAndItsForceIsSkippedAndNotCounted(@TempDir Path dir) throws IOException {
        Path kept = Files.write(dir.resolve("kept.log"), new byte[700]);
        Path gone = dir.resolve("rolled.index"); // listed, then deleted by its owner before the force

        WriteBack.Result r = WriteBack.force(List.of(gone, kept));

        assertThat(r.files()).isEqualTo(1);
        assertThat(r.bytes()).isEqualTo(700);
    }
}
