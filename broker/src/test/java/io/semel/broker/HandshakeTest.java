package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.security.CredentialFile;
import io.semel.broker.security.SecurityConfig;
import io.semel.protocol.Authenticate;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Poll;
import io.semel.protocol.Protocol;
import io.semel.protocol.scram.Scram;
import io.semel.protocol.scram.ScramClient;
import io.semel.protocol.scram.ScramServer;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeTest extends BrokerTestSupport {

    @Test
    void helloAnnouncesTheBrokersLimits() throws Exception {
        startBroker(configBuilder().brokerId("b1").maxBatchBytes(1024 * 1024).build());
        try (TestClient c = TestClient.connect(broker.port())) {
            Hello.Response r = c.call(new Hello.Request("t", (short) 7), Hello.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
            assertThat(r.brokerId()).isEqualTo("b1");
            assertThat(r.protocolVersion()).isEqualTo(Protocol.PROTOCOL_VERSION);
            assertThat(r.maxFrameBytes()).isEqualTo(Protocol.MAX_FRAME_BYTES_DEFAULT);
            assertThat(r.maxBatchBytes()).isEqualTo(1024 * 1024);
        }
    }

    @Test
    void scramExchangeAuthenticatesAndAWrongPasswordIsRefusedAndClosedWhileOtherClientsWork() throws Exception {
        startScramBroker();
        try (TestClient good = TestClient.connect(broker.port()); TestClient bad = TestClient.connect(broker.port())) {
            Hello.Response hello = good.call(new Hello.Request("t", (short) 1), Hello.Response.class);
            assertThat(hello.authMechanism()).isEqualTo(Hello.SCRAM_SHA_256);
            assertThat(scram(good, "alice", "secret").error()).isEqualTo(ErrorCode.NONE);

            bad.call(new Hello.Request("t", (short) 1), Hello.Response.class);
            Authenticate.Response r = scram(bad, "alice", "wrong");
            assertThat(r.error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(r.errorMessage()).isEqualTo(ScramServer.BAD_CREDENTIALS);
            assertThat(bad.closedByPeer()).isTrue();

            assertThat(good.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
        }
    }

    @Test
    void requestAfterHelloButBeforeAuthenticationIsRefusedAndClosed() throws Exception {
        startScramBroker();
        try (TestClient c = TestClient.connect(broker.port())) {
            c.call(new Hello.Request("t", (short) 1), Hello.Response.class);
            ListTopics.Response r = c.call(new ListTopics.Request(), ListTopics.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(r.errorMessage()).contains("before authentication");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void aBrokerWithoutAuthenticationAnnouncesNoMechanismAndRefusesAuthenticate() throws Exception {
        startBroker();
        try (TestClient c = TestClient.connect(broker.port())) {
            assertThat(c.call(new Hello.Request("t", (short) 1), Hello.Response.class).authMechanism()).isNull();
            Authenticate.Response r = c.call(new Authenticate.Request(Hello.SCRAM_SHA_256, new byte[] {'n'}),
                    Authenticate.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    private void startScramBroker() throws Exception {
        CredentialFile.put(dataDir, "alice", "secret".toCharArray(), Scram.ITERATIONS_MIN, new SecureRandom());
        startBroker(configBuilder().security(SecurityConfig.builder()
                .authentication(SecurityConfig.Authentication.SCRAM).superUser("alice").build()).build());
    }

    /** Runs both SCRAM steps; returns the last answer (the first failed one, or the final one). */
    static Authenticate.Response scram(TestClient c, String user, String password) throws Exception {
        ScramClient client = new ScramClient(user, password.toCharArray(), new SecureRandom());
        Authenticate.Response first = c.call(new Authenticate.Request(Hello.SCRAM_SHA_256, client.firstMessage()),
                Authenticate.Response.class);
        if (first.error() != ErrorCode.NONE) {
            return first;
        }
        Authenticate.Response last = c.call(new Authenticate.Request(Hello.SCRAM_SHA_256,
                client.finalMessage(first.payload())), Authenticate.Response.class);
        if (last.error() == ErrorCode.NONE) {
            client.verify(last.payload());
            assertThat(last.complete()).isTrue();
        }
        return last;
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

    /** Even a refusal is written in the layout of the version the request was sent in. */
    @Test
    void aPollBeforeHelloIsRefusedInTheVersionItWasSentIn() throws Exception {
        startBroker();
        try (TestClient c = TestClient.connect(broker.port())) {
            Poll.Response r = c.call(new Poll.Request("g", "m", 10, 0, List.of(),
                    Poll.VERSION_PLAIN), Poll.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(r.version()).isEqualTo(Poll.VERSION_PLAIN);
        }
    }

    @Test
    void requestBeforeHelloOnAnAuthenticatingBrokerIsAuthenticationFailed() throws Exception {
        startScramBroker();
        try (TestClient c = TestClient.connect(broker.port())) {
            ListTopics.Response r = c.call(new ListTopics.Request(), ListTopics.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void requestsPipelinedAfterAFailedAuthenticationAreNotServed() throws Exception {
        startScramBroker();
        try (TestClient c = TestClient.connect(broker.port())) {
            c.call(new Hello.Request("t", (short) 1), Hello.Response.class);
            int authId = c.send(new Authenticate.Request(Hello.SCRAM_SHA_256, "garbage".getBytes()));
            c.send(new ListTopics.Request());
            TestClient.Answer a = c.receive();
            assertThat(a.requestId()).isEqualTo(authId);
            assertThat(a.response().error()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}
