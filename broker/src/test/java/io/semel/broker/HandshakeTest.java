package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Protocol;
import org.junit.jupiter.api.Test;

class HandshakeTest extends BrokerTestSupport {

    @Test
    void helloAnnouncesTheBrokersLimits() throws Exception {
        startBroker(configBuilder().brokerId("b1").maxBatchBytes(1024 * 1024).build());
        try (TestClient c = TestClient.connect(broker.port())) {
            Hello.Response r = c.call(new Hello.Request("t", (short) 7, null, null), Hello.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
            assertThat(r.brokerId()).isEqualTo("b1");
            assertThat(r.protocolVersion()).isEqualTo(Protocol.PROTOCOL_VERSION);
            assertThat(r.maxFrameBytes()).isEqualTo(Protocol.MAX_FRAME_BYTES_DEFAULT);
            assertThat(r.maxBatchBytes()).isEqualTo(1024 * 1024);
        }
    }

    @Test
    void wrongCredentialsAreRefusedAndClosedWhileOtherClientsWork() throws Exception {
        startBroker(configBuilder().credentials("alice", "secret").build());
        try (TestClient good = TestClient.hello(broker.port(), "alice", "secret");
                TestClient bad = TestClient.connect(broker.port());
                TestClient none = TestClient.connect(broker.port())) {
            Hello.Response r = bad.call(new Hello.Request("t", (short) 1, "alice", "wrong"), Hello.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(r.errorMessage()).doesNotContain("secret");
            assertThat(bad.closedByPeer()).isTrue();

            Hello.Response r2 = none.call(new Hello.Request("t", (short) 1, null, null), Hello.Response.class);
            assertThat(r2.error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(none.closedByPeer()).isTrue();

            assertThat(good.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
        }
    }

    @Test
    void requestBeforeHelloIsRefusedAndClosed() throws Exception {
        startBroker();
        try (TestClient c = TestClient.connect(broker.port())) {
            ListTopics.Response r = c.call(new ListTopics.Request(), ListTopics.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(r.errorMessage()).contains("before HELLO");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void requestBeforeHelloOnAnAuthenticatingBrokerIsAuthenticationFailed() throws Exception {
        startBroker(configBuilder().credentials("alice", "secret").build());
        try (TestClient c = TestClient.connect(broker.port())) {
            ListTopics.Response r = c.call(new ListTopics.Request(), ListTopics.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void requestsPipelinedAfterAFailedHelloAreNotServed() throws Exception {
        startBroker(configBuilder().credentials("alice", "secret").build());
        try (TestClient c = TestClient.connect(broker.port())) {
            int helloId = c.send(new Hello.Request("t", (short) 1, "alice", "nope"));
            c.send(new ListTopics.Request());
            TestClient.Answer a = c.receive();
            assertThat(a.requestId()).isEqualTo(helloId);
            assertThat(a.response().error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
