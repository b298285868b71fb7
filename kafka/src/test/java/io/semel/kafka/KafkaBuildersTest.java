package io.semel.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.processor.store.JdbcStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builders refuse out-of-range settings with the setting, the value and the range (no broker needed). */
class KafkaBuildersTest {
    @TempDir
    Path dir;

    @Test
    void sourceSettingsOutOfRangeAreRefusedNamingTheSettingAndValue() {
        KafkaSourceBuilder b = KafkaSource.builder("localhost:1", "g", "t");
        assertThatThrownBy(() -> b.maxDeliveries(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDeliveries is 0; it must be >= 1");
        assertThatThrownBy(() -> b.nackBackoffMs(-5)).hasMessage("nackBackoffMs is -5; it must be >= 1");
        assertThatThrownBy(() -> b.nackBackoffMs(500).nackBackoffMaxMs(100).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nackBackoffMaxMs 100 is below nackBackoffMs 500; raise it");
    }

    @Test
    void relaySettingsOutOfRangeAreRefusedNamingTheSettingAndValue() {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("r.db"))) {
            assertThatThrownBy(() -> KafkaOutboxRelay.builder(store, "localhost:1", ""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relayName must be 1..200");
            KafkaOutboxRelayBuilder b = KafkaOutboxRelay.builder(store, "localhost:1", "r");
            assertThatThrownBy(() -> b.relayBatchMax(10_001)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("relayBatchMax is 10001; it must be in 1..10000");
            assertThatThrownBy(() -> b.progressReplicationFactor(40_000))
                    .hasMessage("progressReplicationFactor is 40000; it must be in 1..32767");
            assertThatThrownBy(() -> b.transactionTimeoutMs(0)).hasMessage("transactionTimeoutMs is 0; it must be >= 1");
            assertThatThrownBy(() -> b.backoffMs(200).backoffMaxMs(100).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("backoffMaxMs 100 is below backoffMs 200; raise it");
        }
    }
}
