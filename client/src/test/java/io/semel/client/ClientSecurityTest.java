package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientSecurityTest {
    @TempDir
    Path dir;

    private Path config(String text) throws Exception {
        return Files.writeString(dir.resolve("client.properties"), text);
    }

    @Test
    void passwordComesFromTheFileElseTheEnvironmentAndPathsAreRelativeToTheConfig() throws Exception {
        Files.writeString(dir.resolve("pw"), "from-file\nsecond line ignored\n");
        ClientSecurity fromFile = ClientSecurity.load(config("user=alice\npassword.file=pw\ntls.caFile=ca.pem\n"),
                Map.of(ClientSecurity.PASSWORD_ENV, "from-env"));
        assertThat(fromFile.user()).isEqualTo("alice");
        assertThat(new String(fromFile.password())).isEqualTo("from-file");
        assertThat(fromFile.tls().caFile()).isEqualTo(dir.toAbsolutePath().resolve("ca.pem"));
        assertThat(fromFile.tls().verifyHostname()).isTrue();

        ClientSecurity fromEnv = ClientSecurity.load(config("user=alice\n"),
                Map.of(ClientSecurity.PASSWORD_ENV, "from-env"));
        assertThat(new String(fromEnv.password())).isEqualTo("from-env");
        assertThat(fromEnv.tls()).isNull();
        assertThat(fromEnv.toString()).doesNotContain("from-env");
    }

    @Test
    void mistakesInTheFileAreNamed() throws Exception {
        assertThatThrownBy(() -> ClientSecurity.load(config("usr=alice\n"), Map.of()))
                .hasMessageContaining("unknown key(s) [usr]");
        assertThatThrownBy(() -> ClientSecurity.load(config("user=alice\n"), Map.of()))
                .hasMessageContaining("user 'alice' has no password");
        assertThatThrownBy(() -> ClientSecurity.load(config("tls.keyFile=k.p12\n"), Map.of()))
                .hasMessageContaining("tls.caFile is not");
        assertThatThrownBy(() -> ClientSecurity.load(config("tls.caFile=ca.pem\ntls.verifyHostname=maybe\n"), Map.of()))
                .hasMessageContaining("tls.verifyHostname 'maybe'");
    }
}
