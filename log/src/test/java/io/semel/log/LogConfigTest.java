package io.semel.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        LogConfig c = LogConfig.defaults();
        assertThat(c.segmentBytes()).isEqualTo(64 * 1024 * 1024);
        assertThat(c.indexIntervalBytes()).isEqualTo(4096);
        assertThat(c.maxRecordBytes()).isEqualTo(1024 * 1024);
        assertThat(c.maxBatchBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(c.retentionBytes()).isEqualTo(-1);
        assertThat(c.retentionMs()).isEqualTo(7L * 24 * 3600 * 1000);
    }

    @Test
    void invalidValuesAreRejectedNamingTheSettingAndTheRange() {
        assertThatThrownBy(() -> LogConfig.builder().segmentBytes(0).build())
                .hasMessageContaining("segmentBytes is 0").hasMessageContaining("1..");
        assertThatThrownBy(() -> LogConfig.builder().maxBatchBytes(100 * 1024 * 1024).build())
                .hasMessageContaining("maxBatchBytes is 104857600");
        assertThatThrownBy(() -> LogConfig.builder().maxBatchBytes(1000).maxRecordBytes(2000).build())
                .hasMessageContaining("maxRecordBytes is 2000; it must be at most maxBatchBytes (1000)");
        assertThatThrownBy(() -> LogConfig.builder().retentionMs(-2).build())
                .hasMessageContaining("retentionMs is -2").hasMessageContaining("-1 for unlimited");
        assertThatThrownBy(() -> LogConfig.builder().indexIntervalBytes(-5).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toBuilderCopiesEverySetting() {
        LogConfig c = LogConfig.builder().segmentBytes(1000).indexIntervalBytes(10).maxRecordBytes(100)
                .maxBatchBytes(500).retentionBytes(5).retentionMs(6).build();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }
}
