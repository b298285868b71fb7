package io.semel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.client.internal.BrokerChannel;
import io.semel.client.internal.ConnectionSettings;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.Metadata;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionTest {
    private final ScriptedBroker broker;

    ConnectionTest() throws Exception {
        broker = new ScriptedBroker().topic("orders", 3);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private BrokerChannel channel(int requestTimeoutMs) {
        String[] hp = ConnectionSettings.splitBootstrap(broker.bootstrap());
        return new BrokerChannel(new ConnectionSettings(hp[0], Integer.parseInt(hp[1]), "test-client",
                ClientSecurity.NONE, requestTimeoutMs, 2_000, 10, 100));
    }

    @Test
    void helloIsTheFirstRequestAndCarriesTheClientId() {
        try (BrokerChannel ch = channel(2_000)) {
            Metadata.Response r = ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0);
            assertThat(r.topics().get(0).partitionCount()).isEqualTo(3);
        }
        List<ScriptedBroker.Received> got = broker.received();
        assertThat(got.get(0).request()).isInstanceOf(Hello.Request.class);
        assertThat(((Hello.Request) got.get(0).request()).clientId()).isEqualTo("test-client");
        assertThat(got.get(1).request().apiKey()).isEqualTo(ApiKey.METADATA);
    }

    @Test
    void unansweredRequestTimesOutAsUnknownAndTheNextCallUsesAFreshConnection() {
        broker.onNext(ApiKey.METADATA, new ScriptedBroker.Delay(5_000));
        try (BrokerChannel ch = channel(150)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0))
                    .isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("150 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
            Metadata.Response r = ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0);
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
        }
        assertThat(broker.connectionCount()).isEqualTo(2);
    }

    @Test
    void aCutConnectionFailsEveryPipelinedRequestAsUnknown() {
        broker.onNext(ApiKey.METADATA, new ScriptedBroker.Delay(300), new ScriptedBroker.Drop());
        try (BrokerChannel ch = channel(2_000)) {
            CompletableFuture<ApiResponse> first = ch.send(new Metadata.Request(List.of("orders")), 0);
            CompletableFuture<ApiResponse> second = ch.send(new Metadata.Request(List.of("orders")), 0);
            Wait.until(() -> first.isDone() && second.isDone(), 3_000, "both requests to end");
            // The first answer was only delayed, so it arrives; the second request's reply is lost.
            assertThat(first).isCompleted();
            assertThat(second).isCompletedExceptionally();
            assertThatThrownBy(second::join).hasCauseInstanceOf(OutcomeUnknownException.class);
        }
    }

    @Test
    void bootstrapMustBeHostColonPort() {
        assertThatThrownBy(() -> Producer.builder("localhost").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host:port");
    }

    @Test
    void aServerThatAnswersWithTlsBytesIsReportedAsNeedingTls() throws Exception {
        // A TLS-only endpoint (a TLS proxy, say) answers a plain HELLO with a TLS alert record.
        try (java.net.ServerSocket tlsOnly = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (java.net.Socket s = tlsOnly.accept()) {
                    s.getInputStream().read(new byte[64]);
                    s.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // until the client closes
                } catch (java.io.IOException ignored) {
                    // the client closed first
                }
            }, "tls-only-server");
            server.setDaemon(true);
            server.start();
            try (BrokerChannel ch = new BrokerChannel(new ConnectionSettings("127.0.0.1", tlsOnly.getLocalPort(),
                    "test-client", ClientSecurity.NONE, 2_000, 2_000, 10, 100))) {
                assertThatThrownBy(() -> ch.call(new Metadata.Request(List.of("orders")), Metadata.Response.class, 0))
                        .isInstanceOf(TlsException.class).hasMessageContaining("answered with TLS")
                        .satisfies(e -> assertThat(((TlsException) e).errorCode()).isEqualTo(ErrorCode.TLS_REQUIRED));
            }
        }
    }
}
