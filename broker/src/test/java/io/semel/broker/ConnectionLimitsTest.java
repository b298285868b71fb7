package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.internal.UnavailableGroupRequests;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Fetch;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Produce;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest extends BrokerTestSupport {

    @Test
    void connectionsBeyondMaxConnectionsAreClosed() throws Exception {
        startBroker(configBuilder().maxConnections(2).build());
        try (TestClient a = TestClient.hello(broker.port()); TestClient b = TestClient.hello(broker.port());
                TestClient extra = TestClient.connect(broker.port())) {
            assertThat(extra.closedByPeer()).isTrue();
            assertThat(b.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
            assertThat(a.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
        }
        // Closed connections free their places.
        await(() -> {
            try (TestClient again = TestClient.hello(broker.port())) {
                return again.call(new ListTopics.Request(), ListTopics.Response.class).error() == ErrorCode.NONE;
            } catch (IOException | AssertionError e) {
                return false;
            }
        });
    }

    @Test
    void aHandlerExceptionIsAnsweredUnknownServerErrorAndTheBrokerKeepsServing() throws Exception {
        UnavailableGroupRequests none = new UnavailableGroupRequests();
        GroupRequests throwing = new GroupRequests() {
            @Override
            public CompletableFuture<JoinGroup.Response> joinGroup(JoinGroup.Request request) {
                throw new IllegalStateException("boom");
            }

            @Override
            public CompletableFuture<io.semel.protocol.LeaveGroup.Response> leaveGroup(
                    io.semel.protocol.LeaveGroup.Request request) {
                return none.leaveGroup(request);
            }

            @Override
            public CompletableFuture<io.semel.protocol.Heartbeat.Response> heartbeat(
                    io.semel.protocol.Heartbeat.Request request) {
                return none.heartbeat(request);
            }

            @Override
            public CompletableFuture<io.semel.protocol.Poll.Response> poll(io.semel.protocol.Poll.Request request) {
                return none.poll(request);
            }

            @Override
            public CompletableFuture<io.semel.protocol.Ack.Response> ack(io.semel.protocol.Ack.Request request) {
                return none.ack(request);
            }

            @Override
            public CompletableFuture<io.semel.protocol.Nack.Response> nack(io.semel.protocol.Nack.Request request) {
                return CompletableFuture.failedFuture(new IllegalStateException("async boom"));
            }
        };
        broker = Broker.start(configBuilder().build(), throwing);
        try (TestClient c = TestClient.hello(broker.port())) {
            JoinGroup.Response r = c.call(new JoinGroup.Request("g", "t", null, 1000), JoinGroup.Response.class);
            assertThat(r.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
            assertThat(r.errorMessage()).contains("boom");
            io.semel.protocol.Nack.Response n = c.call(new io.semel.protocol.Nack.Request("g", "m",
                    java.util.List.of(new io.semel.protocol.Ack.Item(0, 1, 0)), null, 0),
                    io.semel.protocol.Nack.Response.class);
            assertThat(n.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
            assertThat(c.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
        }
    }

    @Test
    void closeAnswersInFlightLongPollsAndKeepsProducedData() throws Exception {
        startBroker();
        TestClient c = TestClient.hello(broker.port());
        createTopic(c, "t", 1);
        c.call(new Produce.Request("t", 0, 0, TestClient.plainBatch("kept")), Produce.Response.class);
        int id = c.send(new Fetch.Request("t", 0, 1, 1024, 60_000));
        Thread.sleep(50);
        long start = System.nanoTime();
        broker.close();
        assertThat((System.nanoTime() - start) / 1_000_000).as("close does not wait out the long poll")
                .isLessThan(5_000);
        TestClient.Answer a = c.receive();
        assertThat(a.requestId()).isEqualTo(id);
        assertThat(a.response().error()).isEqualTo(ErrorCode.NONE);
        c.close();
        startBroker();
        try (TestClient again = TestClient.hello(broker.port())) {
            assertThat(TestClient.values(fetchAll(again, "t", 0))).containsExactly("kept");
        }
    }

    @Test
    void aSecondBrokerOnTheSameDataDirectoryIsRefused() throws Exception {
        startBroker();
        assertThatThrownBy(() -> Broker.start(configBuilder().build())).isInstanceOf(IOException.class)
                .hasMessageContaining("in use by another broker");
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
