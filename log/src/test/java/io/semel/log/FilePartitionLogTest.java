package io.semel.log;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FilePartitionLogTest extends PartitionLogContractTest {
    @TempDir
    Path dir;

    @Override
    protected Storage newStorage() throws IOException {
        return new FileStorage(dir);
    }
}
