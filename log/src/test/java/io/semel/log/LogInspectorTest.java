package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.LogRecord;
import io.semel.protocol.RecordBatch;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogInspectorTest {
    @TempDir
    Path dir;

    private void writeLog(int batches) throws Exception {
        LogConfig config = LogConfig.builder().segmentBytes(1024).build();
        try (Partition partition = Partition.open(new FileStorage(dir), config, 16, Clock.systemUTC())) {
            for (int i = 0; i < batches; i++) {
                partition.append(RecordBatch.of(9, (short) 0, 2L * i, 1_000L, List.of(
                        LogRecord.of(null, ("a" + i).getBytes(StandardCharsets.UTF_8)),
                        LogRecord.of(null, ("b" + i).getBytes(StandardCharsets.UTF_8)))), (short) 0);
            }
            partition.flush();
        }
    }

    @Test
    void reportsSegmentsBatchesAndTheProducerTable() throws Exception {
        writeLog(40);
        LogInspector.PartitionReport report = LogInspector.inspect(dir);
        assertThat(report.segments()).hasSizeGreaterThan(1).allMatch(LogInspector.SegmentReport::healthy);
        assertThat(report.segments().stream().mapToLong(LogInspector.SegmentReport::records).sum()).isEqualTo(80);
        assertThat(report.segments().get(report.segments().size() - 1).lastOffset()).isEqualTo(79);
        assertThat(report.producers()).isPresent();
        assertThat(report.producers().get().producers()).singleElement()
                .satisfies(p -> assertThat(p.producerId()).isEqualTo(9));
    }

    @Test
    void namesTheFirstDamagedBatchAndChangesNothing() throws Exception {
        writeLog(5);
        Path segment = dir.resolve("00000000000000000000.log");
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x10);
        }
        byte[] before = Files.readAllBytes(segment);
        LogInspector.SegmentReport report = LogInspector.inspect(dir).segments().get(0);
        assertThat(report.problem()).contains("position").contains("BAD_CRC");
        assertThat(report.validBytes()).isLessThan(report.sizeBytes());
        assertThat(Files.readAllBytes(segment)).isEqualTo(before);
    }
}
