package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.security.AclEntry;
import io.semel.broker.security.AclFile;
import io.semel.broker.security.CredentialFile;
import io.semel.broker.security.Operation;
import io.semel.broker.security.Principal;
import io.semel.broker.security.Resource;
import io.semel.broker.security.ResourceType;
import io.semel.broker.security.SecurityConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSecurityTest {
    @TempDir
    Path dataDir;

    @Test
    void aSecurityFileThatFailsToReloadKeepsTheUsersAndAclsLoadedBeforeUntilItIsFixed() throws Exception {
        SecureRandom random = new SecureRandom();
        CredentialFile.put(dataDir, "bob", "pw".toCharArray(), 4096, random);
        AclFile.add(dataDir, new AclEntry("bob", Operation.PRODUCE, ResourceType.TOPIC, "orders"));
        BrokerSecurity security = BrokerSecurity.open(SecurityConfig.builder()
                .authentication(SecurityConfig.Authentication.SCRAM).build(), dataDir, random);
        Principal bob = new Principal("bob");
        assertThat(security.authorizer().authorize(bob, Operation.PRODUCE, Resource.topic("orders"))).isTrue();

        // A bad edit of both files: neither opens nor closes the broker.
        Files.writeString(AclFile.path(dataDir), "allow bob produce topic *\n", StandardCharsets.UTF_8);
        Files.writeString(CredentialFile.path(dataDir), "garbage\n", StandardCharsets.UTF_8);
        security.reload();
        assertThat(security.authorizer().authorize(bob, Operation.PRODUCE, Resource.topic("orders"))).isTrue();
        assertThat(security.authorizer().authorize(bob, Operation.PRODUCE, Resource.topic("payments"))).isFalse();
        assertThat(security.credential("bob")).isPresent();

        // Fixed: the next look picks the new contents up.
        Files.delete(AclFile.path(dataDir));
        Files.delete(CredentialFile.path(dataDir));
        AclFile.add(dataDir, new AclEntry("bob", Operation.PRODUCE, ResourceType.TOPIC, "payments"));
        CredentialFile.put(dataDir, "alice", "pw".toCharArray(), 4096, random);
        security.reload();
        assertThat(security.authorizer().authorize(bob, Operation.PRODUCE, Resource.topic("orders"))).isFalse();
        assertThat(security.authorizer().authorize(bob, Operation.PRODUCE, Resource.topic("payments"))).isTrue();
        assertThat(security.credential("bob")).isEmpty();
        assertThat(security.credential("alice")).isPresent();
    }
}
