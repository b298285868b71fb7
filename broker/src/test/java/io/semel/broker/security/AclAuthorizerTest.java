package io.semel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AclAuthorizerTest {
    private static final Principal ALICE = new Principal("alice");
    private static final Principal BOB = new Principal("bob");

    private static AclAuthorizer authorizer(AclEntry... entries) {
        return new AclAuthorizer(Set.of("root"), () -> List.of(entries));
    }

    @Test
    void withoutAGrantEverythingIsDenied() {
        AclAuthorizer a = authorizer();
        for (Operation op : Operation.values()) {
            assertThat(a.authorize(ALICE, op, Resource.topic("orders"))).as("%s", op).isFalse();
        }
        assertThat(a.authorize(ALICE, Operation.ADMIN, Resource.CLUSTER)).isFalse();
    }

    @Test
    void superUsersMayDoEverything() {
        assertThat(authorizer().authorize(new Principal("root"), Operation.PRODUCE, Resource.topic("x"))).isTrue();
        assertThat(authorizer().authorize(new Principal("root"), Operation.ADMIN, Resource.CLUSTER)).isTrue();
    }

    @Test
    void exactPrefixAndWildcardPatternsMatchWhatTheySay() {
        AclAuthorizer a = authorizer(new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "orders"),
                new AclEntry("alice", Operation.CONSUME, ResourceType.TOPIC, "billing.*"),
                new AclEntry("*", Operation.CONSUME, ResourceType.GROUP, "*"));
        assertThat(a.authorize(ALICE, Operation.PRODUCE, Resource.topic("orders"))).isTrue();
        assertThat(a.authorize(ALICE, Operation.PRODUCE, Resource.topic("orders2"))).isFalse();
        assertThat(a.authorize(BOB, Operation.PRODUCE, Resource.topic("orders"))).isFalse();
        assertThat(a.authorize(ALICE, Operation.CONSUME, Resource.topic("billing.eu"))).isTrue();
        assertThat(a.authorize(ALICE, Operation.CONSUME, Resource.topic("billing"))).isFalse();
        assertThat(a.authorize(BOB, Operation.CONSUME, Resource.group("anything"))).isTrue();
        assertThat(a.authorize(BOB, Operation.CONSUME, Resource.topic("anything"))).isFalse();
    }

    @Test
    void produceOrConsumeImpliesDescribeOfThatTopicAndAdminImpliesDescribeOfAll() {
        AclAuthorizer a = authorizer(new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "orders"),
                new AclEntry("bob", Operation.ADMIN, ResourceType.CLUSTER, Resource.CLUSTER_NAME));
        assertThat(a.authorize(ALICE, Operation.DESCRIBE, Resource.topic("orders"))).isTrue();
        assertThat(a.authorize(ALICE, Operation.DESCRIBE, Resource.topic("other"))).isFalse();
        assertThat(a.authorize(ALICE, Operation.DESCRIBE, Resource.CLUSTER)).isFalse();
        assertThat(a.authorize(BOB, Operation.DESCRIBE, Resource.topic("other"))).isTrue();
        assertThat(a.authorize(BOB, Operation.DESCRIBE, Resource.CLUSTER)).isTrue();
        assertThat(a.authorize(BOB, Operation.PRODUCE, Resource.topic("other"))).isFalse();
    }

    @Test
    void entriesThatMakeNoSenseAreRefused() {
        assertThatThrownBy(() -> new AclEntry("alice", Operation.PRODUCE, ResourceType.GROUP, "g"))
                .hasMessageContaining("does not apply to a group");
        assertThatThrownBy(() -> new AclEntry("alice", Operation.ADMIN, ResourceType.TOPIC, "t"))
                .hasMessageContaining("does not apply to a topic");
        assertThatThrownBy(() -> new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "a*b"))
                .hasMessageContaining("'prefix*'");
        assertThatThrownBy(() -> new AclEntry("al ice", Operation.PRODUCE, ResourceType.TOPIC, "t"))
                .hasMessageContaining("user name");
    }
}
