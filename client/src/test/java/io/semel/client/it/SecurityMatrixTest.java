package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.broker.security.AclEntry;
import io.semel.broker.security.AclFile;
import io.semel.broker.security.CredentialFile;
import io.semel.broker.security.Operation;
import io.semel.broker.security.ResourceType;
import io.semel.broker.security.SecurityConfig;
import io.semel.client.Admin;
import io.semel.client.AuthenticationException;
import io.semel.client.AuthorizationException;
import io.semel.client.ClientSecurity;
import io.semel.client.ClientTls;
import io.semel.client.Consumer;
import io.semel.client.Message;
import io.semel.client.Producer;
import io.semel.client.SendResult;
import io.semel.client.TlsException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.scram.Scram;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security matrix against real brokers over loopback TCP, with certificates made by keytool:
 * TLS and mutual TLS accepted and refused, plain and TLS clients on the wrong port, SCRAM with a
 * wrong password or an unknown user, ACLs that allow and deny produce, consume and admin. After
 * every refusal the same broker still serves a legitimate client.
 */
class SecurityMatrixTest {
    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path dataDir;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = TestPki.create(pkiDir);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    /** TLS with the PKCS#12 key, SCRAM, ACLs: admin is super-user, alice produces, bob consumes. */
    private Broker securedBroker() throws Exception {
        SecureRandom random = new SecureRandom();
        CredentialFile.put(dataDir, "admin", "admin-pw".toCharArray(), Scram.ITERATIONS_MIN, random);
        CredentialFile.put(dataDir, "alice", "alice-pw".toCharArray(), Scram.ITERATIONS_MIN, random);
        CredentialFile.put(dataDir, "bob", "bob-pw".toCharArray(), Scram.ITERATIONS_MIN, random);
        AclFile.add(dataDir, new AclEntry("alice", Operation.PRODUCE, ResourceType.TOPIC, "orders"));
        AclFile.add(dataDir, new AclEntry("bob", Operation.CONSUME, ResourceType.TOPIC, "orders"));
        AclFile.add(dataDir, new AclEntry("bob", Operation.CONSUME, ResourceType.GROUP, "billing"));
        Broker b = start(SecurityConfig.builder().tls(pki.brokerP12, null, pki.passwordFile)
                .authentication(SecurityConfig.Authentication.SCRAM).superUser("admin").reloadIntervalMs(50).build());
        try (Admin admin = Admin.builder(bootstrap(b)).security(user("admin", "admin-pw")).build()) {
            admin.createTopic("orders", 2);
        }
        return b;
    }

    private Broker start(SecurityConfig security) throws Exception {
        return track(Broker.start(BrokerConfig.builder(dataDir).port(0).ioThreads(2).shutdownTimeoutMs(5_000)
                .security(security).build()));
    }

    private static String bootstrap(Broker b) {
        return "localhost:" + b.port();
    }

    private static ClientTls tls() {
        return ClientTls.trusting(pki.caPem);
    }

    private static ClientSecurity user(String name, String password) {
        return ClientSecurity.of(name, password.toCharArray(), tls());
    }

    private Admin admin(Broker b, ClientSecurity s) {
        return track(Admin.builder(bootstrap(b)).security(s).connectTimeoutMs(10_000).requestTimeoutMs(10_000).build());
    }

    /** The broker still serves: a super-user lists topics over a fresh connection. */
    private void assertStillServing(Broker b) {
        try (Admin admin = Admin.builder(bootstrap(b)).security(user("admin", "admin-pw")).build()) {
            assertThat(admin.listTopics()).extracting(Admin.TopicListing::name).contains("orders");
        }
    }

    private static SendResult sendOne(Producer p, String topic) throws Exception {
        try {
            return p.send(topic, "hello".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void overTlsWithScramGrantedUsersProduceAndConsume() throws Exception {
        Broker b = securedBroker();
        Producer alice = track(Producer.builder(bootstrap(b)).security(user("alice", "alice-pw")).build());
        SendResult sent = sendOne(alice, "orders");
        Consumer bob = track(Consumer.builder(bootstrap(b)).security(user("bob", "bob-pw")).group("billing")
                .topic("orders").build());
        List<Message> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.isEmpty() && System.nanoTime() < deadline) {
            got.addAll(bob.poll(Duration.ofMillis(500)));
        }
        assertThat(got).hasSize(1);
        assertThat(got.get(0).offset()).isEqualTo(sent.offset());
        assertThat(new String(got.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
        bob.ack(got);
    }

    @Test
    void deniedProduceConsumeAndAdminAreTypedAndTheBrokerKeepsServing() throws Exception {
        Broker b = securedBroker();
        Producer bob = track(Producer.builder(bootstrap(b)).security(user("bob", "bob-pw")).build());
        assertThatThrownBy(() -> sendOne(bob, "orders")).isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("user 'bob' may not produce topic 'orders'")
                .hasMessageContaining("semel acl add --user bob --op produce --topic orders");
        assertStillServing(b);

        assertThatThrownBy(() -> Consumer.builder(bootstrap(b)).security(user("alice", "alice-pw")).group("billing")
                .topic("orders").build().poll(Duration.ofMillis(100))).isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("user 'alice' may not consume");
        assertStillServing(b);

        Admin alice = admin(b, user("alice", "alice-pw"));
        assertThatThrownBy(() -> alice.createTopic("mine", 1)).isInstanceOf(AuthorizationException.class)
                .satisfies(e -> assertThat(((AuthorizationException) e).errorCode())
                        .isEqualTo(ErrorCode.AUTHORIZATION_FAILED))
                .hasMessageContaining("may not admin the cluster");
        // The denial left alice's connection usable: describing her own topic is implied by produce.
        assertThat(alice.describeTopic("orders")).hasSize(2);
        assertStillServing(b);
    }

    @Test
    void wrongPasswordAndUnknownUserFailAlikeAndNoCredentialsIsExplained() throws Exception {
        Broker b = securedBroker();
        String wrong = msg(() -> admin(b, user("alice", "nope")).listTopics());
        String unknown = msg(() -> admin(b, user("mallory", "alice-pw")).listTopics());
        assertThat(wrong).contains("refused user 'alice'").contains("unknown user or wrong password");
        assertThat(unknown).contains("refused user 'mallory'").contains("unknown user or wrong password");
        assertThatThrownBy(() -> admin(b, ClientSecurity.NONE.withTls(tls())).listTopics())
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("requires authentication");
        assertStillServing(b);
    }

    private static String msg(Runnable r) {
        try {
            r.run();
        } catch (AuthenticationException e) {
            assertThat(e.retriable()).isFalse();
            return e.getMessage();
        }
        throw new AssertionError("expected an AuthenticationException");
    }

    @Test
    void plainClientOnTheTlsPortGetsTlsRequired() throws Exception {
        Broker b = securedBroker();
        assertThatThrownBy(() -> admin(b, ClientSecurity.of("admin", "admin-pw".toCharArray(), null)).listTopics())
                .isInstanceOf(TlsException.class).hasMessageContaining("accepts TLS connections only")
                .satisfies(e -> assertThat(((TlsException) e).errorCode()).isEqualTo(ErrorCode.TLS_REQUIRED));
        assertStillServing(b);
    }

    @Test
    void tlsClientOnAPlainPortIsToldThePortIsPlain() throws Exception {
        Broker b = start(SecurityConfig.none());
        assertThatThrownBy(() -> admin(b, ClientSecurity.NONE.withTls(tls())).listTopics())
                .isInstanceOf(TlsException.class).hasMessageContaining("that port is plain TCP");
        try (Admin plain = Admin.builder(bootstrap(b)).build()) {
            plain.createTopic("still-serving", 1);
        }
    }

    @Test
    void aTlsPeerThatStaysSilentAfterTheHandshakeIsATimeoutNotARefusedCertificate() throws Exception {
        // The client reads a peer that closes right after the handshake as a refused client certificate;
        // one that merely does not answer HELLO in time must not be reported that way.
        javax.net.ssl.SSLContext server = io.semel.protocol.tls.TlsMaterial.context(
                io.semel.protocol.tls.TlsMaterial.keyStore(pki.brokerP12, null, TestPki.PASSWORD.toCharArray()),
                TestPki.PASSWORD.toCharArray(), null);
        try (javax.net.ssl.SSLServerSocket silent = (javax.net.ssl.SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (java.net.Socket s = silent.accept()) {
                    ((javax.net.ssl.SSLSocket) s).startHandshake();
                    s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()); // never answers
                } catch (java.io.IOException ignored) {
                    // the client gave up and closed
                }
            }, "silent-tls-peer");
            peer.setDaemon(true);
            peer.start();
            assertThatThrownBy(() -> track(Admin.builder("localhost:" + silent.getLocalPort()).tls(tls())
                    .connectTimeoutMs(10_000).requestTimeoutMs(500).build()).listTopics())
                    .isNotInstanceOf(TlsException.class).hasMessageContaining("got no answer");
        }
    }

    @Test
    void aBrokerCertificateFromAnotherCaIsRefusedByTheClient() throws Exception {
        Broker b = securedBroker();
        assertThatThrownBy(() -> admin(b, ClientSecurity.of("admin", "admin-pw".toCharArray(),
                ClientTls.trusting(pki.rogueCaPem))).listTopics()).isInstanceOf(TlsException.class)
                .hasMessageContaining("not signed by a CA in " + pki.rogueCaPem);
        assertStillServing(b);
    }

    @Test
    void mutualTlsWithPemKeyAcceptsTheCaSignedClientAndRefusesOthers() throws Exception {
        Path brokerKey = pki.pemKey(pki.brokerP12, "broker");
        Broker b = start(SecurityConfig.builder().tls(brokerKey, pki.pemCert("broker"), null)
                .requireClientCertificates(pki.caPem).build());
        ClientTls withCert = tls().withClientKey(pki.clientP12, null, TestPki.PASSWORD.toCharArray());
        try (Admin ok = Admin.builder(bootstrap(b)).tls(withCert).build()) {
            ok.createTopic("mtls", 1);
        }
        assertThatThrownBy(() -> admin(b, ClientSecurity.NONE.withTls(tls())).listTopics())
                .isInstanceOf(TlsException.class).hasMessageContaining("refused the client's certificate");
        ClientTls rogue = tls().withClientKey(pki.rogueClientP12, null, TestPki.PASSWORD.toCharArray());
        assertThat(pki.rogueClientP12).exists();
        assertThatThrownBy(() -> admin(b, ClientSecurity.NONE.withTls(rogue)).listTopics())
                .isInstanceOf(TlsException.class).hasMessageContaining("refused the client's certificate");
        try (Admin ok = Admin.builder(bootstrap(b)).tls(withCert).build()) {
            assertThat(ok.listTopics()).extracting(Admin.TopicListing::name).contains("mtls");
        }
    }

    @Test
    void anAclAddedWhileTheBrokerRunsTakesEffectWithoutARestart() throws Exception {
        Broker b = securedBroker();
        Producer bob = track(Producer.builder(bootstrap(b)).security(user("bob", "bob-pw")).build());
        assertThatThrownBy(() -> sendOne(bob, "orders")).isInstanceOf(AuthorizationException.class);
        AclFile.add(dataDir, new AclEntry("bob", Operation.PRODUCE, ResourceType.TOPIC, "ord*"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        SendResult r = null;
        while (r == null) {
            try (Producer again = Producer.builder(bootstrap(b)).security(user("bob", "bob-pw")).build()) {
                r = sendOne(again, "orders");
            } catch (AuthorizationException e) {
                assertThat(System.nanoTime()).as("ACL not picked up within 30 s").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
        assertThat(r.offset()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void withoutTlsTheScramExchangeStillNeverPutsThePasswordOnTheWire() throws Exception {
        CredentialFile.put(dataDir, "alice", "alice-pw".toCharArray(), Scram.ITERATIONS_MIN, new SecureRandom());
        Broker b = start(SecurityConfig.builder().authentication(SecurityConfig.Authentication.SCRAM)
                .superUser("alice").build());
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        try (java.net.ServerSocket relay = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> recordOneConnection(relay, b.port(), wire), "wire-recorder");
            t.setDaemon(true);
            t.start();
            try (Admin admin = Admin.builder("127.0.0.1:" + relay.getLocalPort())
                    .security(ClientSecurity.of("alice", "alice-pw".toCharArray(), null)).build()) {
                admin.createTopic("t", 1);
            }
            t.join(10_000);
        }
        String seen;
        synchronized (wire) {
            seen = wire.toString(StandardCharsets.ISO_8859_1);
        }
        assertThat(seen).contains("n=alice,r=").contains(",p="); // the exchange went through the recorder
        assertThat(seen).doesNotContain("alice-pw")
                .doesNotContain(Base64.getEncoder().encodeToString("alice-pw".getBytes(StandardCharsets.UTF_8)));
    }

    /** Relays one connection to the broker, recording what the client sends. */
    private static void recordOneConnection(java.net.ServerSocket relay, int brokerPort,
            java.io.ByteArrayOutputStream wire) {
        try (java.net.Socket client = relay.accept(); java.net.Socket broker = new java.net.Socket("127.0.0.1",
                brokerPort)) {
            Thread back = new Thread(() -> {
                try {
                    broker.getInputStream().transferTo(client.getOutputStream());
                } catch (java.io.IOException ignored) {
                    // the client closed: the test is over
                }
            }, "wire-recorder-back");
            back.setDaemon(true);
            back.start();
            byte[] buf = new byte[8192];
            java.io.InputStream in = client.getInputStream();
            for (int n; (n = in.read(buf)) > 0;) {
                synchronized (wire) {
                    wire.write(buf, 0, n);
                }
                broker.getOutputStream().write(buf, 0, n);
            }
        } catch (java.io.IOException ignored) {
            // a closed socket ends the relay
        }
    }

    @Test
    void theCredentialsFileHoldsNeitherThePasswordNorItsEncodings() throws Exception {
        securedBroker();
        String stored = Files.readString(CredentialFile.path(dataDir), StandardCharsets.UTF_8);
        assertThat(stored).contains("scram-sha-256 alice 4096 ");
        for (String pw : new String[] {"admin-pw", "alice-pw", "bob-pw"}) {
            assertThat(stored).doesNotContain(pw)
                    .doesNotContain(Base64.getEncoder().encodeToString(pw.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
