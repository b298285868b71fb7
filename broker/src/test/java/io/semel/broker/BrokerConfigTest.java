package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        BrokerConfig c = BrokerConfig.builder(dir).build();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(7471);
        assertThat(c.security().authorizationEnabled()).isFalse();
        assertThat(c.partitionsMaxPerTopic()).isEqualTo(1024);
        assertThat(c.maxFrameBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.flushPolicy().forceBeforeConfirm()).isTrue();
    }

    @Test
    void propertiesFileIsReadWithUnitsAndOverridesWin() throws Exception {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, String.join("\n", "dataDir=" + dir.resolve("data"), "port=9000",
                "maxBatchBytes=2MiB", "segmentBytes = 512 KiB", "retentionMs=2d", "flushIntervalMs=250ms",
                "security.authentication=scram", "security.superUsers=admin, ops", "tls.keyFile=broker.p12", ""));
        BrokerConfig c = BrokerConfig.load(file, Map.of("port", "0"));
        assertThat(c.port()).isZero();
        assertThat(c.maxBatchBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.logConfig().segmentBytes()).isEqualTo(512 * 1024);
        assertThat(c.logConfig().retentionMs()).isEqualTo(2L * 24 * 3600 * 1000);
        assertThat(c.flushPolicy().intervalMs()).isEqualTo(250);
        assertThat(c.security().authorizationEnabled()).isTrue();
        assertThat(c.security().superUsers()).containsExactlyInAnyOrder("admin", "ops");
        assertThat(c.security().tlsKeyFile()).isEqualTo(java.nio.file.Path.of("broker.p12"));
    }

    @Test
    void badValuesAreRejectedNamingTheKey() {
        Map<String, String> base = Map.of("dataDir", dir.toString());
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "port", "70000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port is 70000");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "maxBatchBytes", "lots")))
                .hasMessageContaining("maxBatchBytes");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "maxBatchBytes", "9MiB")))
                .hasMessageContaining("maxBatchBytes is 9437184");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "partitionsMaxPerTopic", "20000")))
                .hasMessageContaining("partitionsMaxPerTopic");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "username", "u")))
                .hasMessageContaining("unknown broker setting(s) [username]");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "security.authentication", "plain")))
                .hasMessageContaining("security.authentication 'plain' is not one of [none, scram]");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "tls.keyfile", "x")))
                .hasMessageContaining("unknown security setting(s) [tls.keyfile]");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "tls.clientAuth", "required")))
                .hasMessageContaining("tls.clientCaFile");
        assertThatThrownBy(() -> BrokerConfig.fromMap(with(base, "maxBatchByte", "1")))
                .hasMessageContaining("unknown broker setting(s) [maxBatchByte]");
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("port", "1")))
                .hasMessageContaining("dataDir is required");
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>(base);
        m.put(k, v);
        return m;
    }

    @Test
    void groupKeysParseUnitsMapToGroupConfigAndAreValidated() {
        BrokerConfig c = BrokerConfig.fromMap(Map.of("dataDir", "/tmp/x", "ackTimeoutMs", "2s",
                "maxDeliveries", "3", "nackBackoffMs", "50ms", "nackBackoffMaxMs", "1min", "sessionTimeoutMinMs", "500",
                "maxUnackedPerMember", "7", "groupTickMs", "20"));
        assertThat(c.groupConfig().ackTimeoutMs()).isEqualTo(2_000);
        assertThat(c.groupConfig().maxDeliveries()).isEqualTo(3);
        assertThat(c.groupConfig().nackBackoffMaxMs()).isEqualTo(60_000);
        assertThat(c.groupConfig().sessionTimeoutMinMs()).isEqualTo(500);
        assertThat(c.groupConfig().maxUnackedPerMember()).isEqualTo(7);
        assertThat(c.groupTickMs()).isEqualTo(20);
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("dataDir", "/tmp/x",
                "maxDeliveries", "0"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDeliveries");
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("dataDir", "/tmp/x",
                "groupTickMs", "0"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groupTickMs");
    }
}
