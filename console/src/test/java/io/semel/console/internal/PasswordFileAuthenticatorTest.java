package io.semel.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileAuthenticatorTest {
    @TempDir
    Path dir;

    @Test
    void acceptsOnlyAListedUserWithItsPassword() throws IOException {
        Path f = Files.writeString(dir.resolve("p"), "# ops\nalice:pa:ss\n\nbob:x\n");
        PasswordFileAuthenticator a = PasswordFileAuthenticator.load(f);
        assertThat(a.required()).isTrue();
        assertThat(a.check("alice", bytes("pa:ss"))).isTrue();
        assertThat(a.check("bob", bytes("x"))).isTrue();
        assertThat(a.check("alice", bytes("x"))).isFalse();
        assertThat(a.check("alice", bytes("pa:s"))).isFalse();
        assertThat(a.check("carol", bytes("x"))).isFalse();
        assertThat(a.check("alice", new byte[0])).isFalse();
    }

    @Test
    void aMalformedOrEmptyFileIsRefusedWithItsLineNumber() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad"), "alice:one\nbob\n");
        assertThatThrownBy(() -> PasswordFileAuthenticator.load(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("line 2 is not user:password");
        Path empty = Files.writeString(dir.resolve("empty"), "# nobody\n");
        assertThatThrownBy(() -> PasswordFileAuthenticator.load(empty)).hasMessageContaining("no user:password line");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
