package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.security.AclEntry;
import io.semel.broker.security.AclFile;
import io.semel.broker.security.CredentialFile;
import io.semel.broker.security.Operation;
import io.semel.broker.security.Resource;
import io.semel.broker.security.ResourceType;
import io.semel.broker.security.SecurityConfig;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.Authenticate;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.scram.ScramClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSecurityTest {
    @TempDir
    Path dataDir;

    private ConnectionSecurity loggedIn(String user) throws Exception {
        SecureRandom random = new SecureRandom();
        CredentialFile.put(dataDir, user, "pw".toCharArray(), 4096, random);
        BrokerSecurity security = BrokerSecurity.open(SecurityConfig.builder()
                .authentication(SecurityConfig.Authentication.SCRAM).build(), dataDir, random);
        ConnectionSecurity c = new ConnectionSecurity(security);
        ScramClient client = new ScramClient(user, "pw".toCharArray(), random);
        Authenticate.Response first = c.authenticate(new Authenticate.Request(Hello.SCRAM_SHA_256, client.firstMessage()));
        Authenticate.Response last = c.authenticate(new Authenticate.Request(Hello.SCRAM_SHA_256,
                client.finalMessage(first.payload())));
        client.verify(last.payload());
        assertThat(c.authenticated()).isTrue();
        return c;
    }

    @Test
    void anApiWithoutAMappingIsDeniedToOrdinaryUsersAndAllowedToClusterAdmins() throws Exception {
        // HELLO has no mapping in RequestActions, as an API added later would not: it stands in for one.
        Hello.Request unmapped = new Hello.Request("x", (short) 1);
        AclFile.add(dataDir, new AclEntry("ops", Operation.ADMIN, ResourceType.CLUSTER, Resource.CLUSTER_NAME));
        AclFile.add(dataDir, new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "*"));
        ApiResponse denied = loggedIn("alice").deny(unmapped);
        assertThat(denied.error()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        assertThat(denied.errorMessage()).contains("HELLO has no ACL mapping");
        assertThat(loggedIn("ops").deny(unmapped)).isNull();
    }

    @Test
    void joiningAGroupNeedsConsumeOnTheTopicAndOnTheGroup() throws Exception {
        JoinGroup.Request join = new JoinGroup.Request("billing", "orders", null, 10_000);
        AclFile.add(dataDir, new AclEntry("bob", Operation.CONSUME, ResourceType.TOPIC, "orders"));
        assertThat(loggedIn("bob").deny(join).errorMessage()).contains("may not consume group 'billing'");
        AclFile.add(dataDir, new AclEntry("bob", Operation.CONSUME, ResourceType.GROUP, "billing"));
        assertThat(loggedIn("bob").deny(join)).isNull();
    }

    @Test
    void aSecondExchangeOnTheSameConnectionFails() throws Exception {
        ConnectionSecurity c = loggedIn("carol");
        Authenticate.Response again = c.authenticate(new Authenticate.Request(Hello.SCRAM_SHA_256, new byte[] {'n'}));
        assertThat(again.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(c.failed()).isTrue();
    }
}
