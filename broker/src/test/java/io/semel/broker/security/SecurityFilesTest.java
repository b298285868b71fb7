package io.semel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.protocol.scram.Scram;
import io.semel.protocol.scram.ScramCredential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityFilesTest {
    @TempDir
    Path dataDir;

    @Test
    void usersAreStoredAsSaltedKeysThatVerifyThePasswordAndNeverAsThePassword() throws Exception {
        assertThat(CredentialFile.put(dataDir, "alice", "correct horse".toCharArray(), 4096, new SecureRandom()))
                .isFalse();
        Map<String, ScramCredential> users = CredentialFile.read(dataDir);
        ScramCredential c = users.get("alice");
        assertThat(c.iterations()).isEqualTo(4096);
        assertThat(Scram.credential("correct horse".toCharArray(), c.salt(), 4096)).isEqualTo(c);
        assertThat(Scram.credential("wrong".toCharArray(), c.salt(), 4096)).isNotEqualTo(c);
        String text = Files.readString(CredentialFile.path(dataDir));
        assertThat(text).doesNotContain("correct horse").doesNotContain("correct");
        assertThat(Files.getPosixFilePermissions(CredentialFile.path(dataDir)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.list(CredentialFile.path(dataDir).getParent()).map(p -> p.getFileName().toString()))
                .noneMatch(n -> n.endsWith(".tmp"));
    }

    @Test
    void replacingAPasswordKeepsOneEntryAndRemovingAUserDropsIt() throws Exception {
        SecureRandom r = new SecureRandom();
        CredentialFile.put(dataDir, "alice", "one".toCharArray(), 4096, r);
        CredentialFile.put(dataDir, "bob", "two".toCharArray(), 4096, r);
        assertThat(CredentialFile.put(dataDir, "alice", "three".toCharArray(), 4096, r)).isTrue();
        assertThat(CredentialFile.read(dataDir)).containsOnlyKeys("alice", "bob");
        assertThat(CredentialFile.remove(dataDir, "alice")).isTrue();
        assertThat(CredentialFile.remove(dataDir, "alice")).isFalse();
        assertThat(CredentialFile.read(dataDir)).containsOnlyKeys("bob");
    }

    @Test
    void aFlippedByteOrAHandEditIsDetectedAsCorruption() throws Exception {
        AclFile.add(dataDir, new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "orders"));
        Path file = AclFile.path(dataDir);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, text.replace("allow alice produce topic orders", "allow alice produce topic *"));
        assertThatThrownBy(() -> AclFile.read(dataDir)).isInstanceOf(IOException.class)
                .hasMessageContaining("is corrupt").hasMessageContaining("checksum");
        Files.writeString(file, text.substring(0, text.indexOf("crc32c")));
        assertThatThrownBy(() -> AclFile.read(dataDir)).hasMessageContaining("no checksum line");
    }

    @Test
    void aclsRoundTripAndAddingTwiceOrRemovingAMissingEntryChangesNothing() throws Exception {
        AclEntry produce = new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "orders");
        AclEntry group = new AclEntry("*", Operation.CONSUME, ResourceType.GROUP, "billing-*");
        assertThat(AclFile.add(dataDir, produce)).isTrue();
        assertThat(AclFile.add(dataDir, group)).isTrue();
        assertThat(AclFile.add(dataDir, produce)).isFalse();
        assertThat(AclFile.read(dataDir)).containsExactly(produce, group);
        assertThat(AclFile.remove(dataDir, new AclEntry("bob", Operation.PRODUCE, ResourceType.TOPIC, "orders")))
                .isFalse();
        assertThat(AclFile.remove(dataDir, produce)).isTrue();
        assertThat(AclFile.read(dataDir)).containsExactly(group);
        assertThat(AclFile.read(dataDir.resolve("elsewhere"))).isEqualTo(List.of());
    }

    @Test
    void verifyAcceptsTheRightPasswordOnlyAndAnUnknownUserIsFalse() throws Exception {
        CredentialFile.put(dataDir, "alice", "s3cret".toCharArray(), 4096, new SecureRandom());
        assertThat(CredentialFile.verify(dataDir, "alice", "s3cret".toCharArray())).isTrue();
        assertThat(CredentialFile.verify(dataDir, "alice", "s3creT".toCharArray())).isFalse();
        assertThat(CredentialFile.verify(dataDir, "bob", "s3cret".toCharArray())).isFalse();
    }
}
