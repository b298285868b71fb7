package io.semel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.Broker;
import io.semel.broker.BrokerConfig;
import io.semel.broker.security.CredentialFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follows docs/security.md: runs the page's keytool lines as written, then its user, ACL, topic,
 * produce and consume commands against a TLS + SCRAM broker, and checks that a wrong password, a
 * plain-text client and a denied topic each fail with the one line the page shows.
 */
class SecurityWalkthroughTest {
    private static final Path DOC = Path.of("..", "docs", "security.md");

    @TempDir
    Path demo;
    Broker broker;

    record Run(int exit, String out, String err) {
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theWalkthroughWorksAndEachMistakeIsOneClearLine() throws Exception {
        Path tls = Files.createDirectories(demo.resolve("tls"));
        List<List<String>> keytool = keytoolLines();
        assertThat(keytool).hasSizeGreaterThanOrEqualTo(7);
        for (List<String> line : keytool) {
            run(tls, line);
        }
        Files.writeString(tls.resolve("broker.pass"), "changeit\n");
        Path data = Files.createDirectories(demo.resolve("data"));
        for (String u : new String[] {"admin", "alice", "bob"}) {
            Files.writeString(demo.resolve(u + ".pass"), u + "-secret\n");
            assertThat(semel("", "user", "add", "--data-dir", data.toString(), "--user", u, "--password-file",
                    demo.resolve(u + ".pass").toString()).out()).startsWith("added user " + u + " (SCRAM-SHA-256");
        }
        ok(semel("", "acl", "add", "--data-dir", data.toString(), "--user", "alice", "--op", "produce", "--topic",
                "orders"));
        ok(semel("", "acl", "add", "--data-dir", data.toString(), "--user", "bob", "--op", "consume", "--topic",
                "orders"));
        ok(semel("", "acl", "add", "--data-dir", data.toString(), "--user", "bob", "--op", "consume", "--group",
                "billing"));
        assertThat(semel("", "user", "list", "--data-dir", data.toString()).out().lines())
                .containsExactly("admin scram-sha-256 iterations=8192", "alice scram-sha-256 iterations=8192",
                        "bob scram-sha-256 iterations=8192");
        assertThat(semel("", "acl", "list", "--data-dir", data.toString()).out().lines())
                .contains("allow alice produce topic orders", "allow bob consume group billing");
        assertThat(Files.readString(CredentialFile.path(data))).doesNotContain("secret");

        Path props = demo.resolve("broker.properties");
        Files.writeString(props, "tls.keyFile=" + tls.resolve("broker.p12") + "\ntls.keyPasswordFile="
                + tls.resolve("broker.pass") + "\nsecurity.authentication=scram\nsecurity.superUsers=admin\n");
        broker = Broker.start(BrokerConfig.load(props, Map.of("dataDir", data.toString(), "port", "0")));
        String ca = tls.resolve("ca.pem").toString();

        ok(client("", "admin", ca, "topic", "create", "orders", "--partitions", "3"));
        Run produced = client("one\ntwo\nthree\n", "alice", ca, "produce", "orders");
        ok(produced);
        assertThat(produced.out()).contains("3 confirmed");
        // bob through a client properties file instead of flags.
        Path bobConfig = demo.resolve("bob.properties");
        Files.writeString(bobConfig, "user=bob\npassword.file=bob.pass\ntls.caFile=tls/ca.pem\n");
        Run consumed = semel("", "consume", "orders", "--group", "billing", "--count", "3", "--broker", address(),
                "--timeout", "20s", "--client-config", bobConfig.toString());
        ok(consumed);
        assertThat(consumed.out().lines()).hasSize(3);
        // bench against the secured broker, as a super-user.
        Run bench = semel("", "bench", "produce", "--count", "200", "--size", "10", "--broker", address(), "--tls-ca",
                ca, "--user", "admin", "--password-file", demo.resolve("admin.pass").toString());
        ok(bench);
        assertThat(bench.out()).contains("200");

        Run wrong = semel("", "topic", "list", "--broker", address(), "--timeout", "20s", "--tls-ca", ca, "--user",
                "alice", "--password-file", demo.resolve("bob.pass").toString());
        oneLine(wrong, "refused user 'alice': unknown user or wrong password; check the user name and password");
        Run plain = semel("", "topic", "list", "--broker", address(), "--timeout", "20s", "--user", "alice",
                "--password-file", demo.resolve("alice.pass").toString());
        oneLine(plain, "accepts TLS connections only: connect with TLS (--tls-ca CA-FILE");
        Run denied = client("", "alice", ca, "consume", "orders", "--group", "billing", "--count", "1");
        oneLine(denied, "user 'alice' may not consume topic 'orders'; an administrator can grant it with "
                + "'semel acl add --user alice --op consume --topic orders'");
        // Still serving after all three.
        ok(client("", "admin", ca, "topic", "list"));
        System.out.println("walkthrough error lines:\n" + wrong.err() + plain.err() + denied.err());
    }

    private static void ok(Run r) {
        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
    }

    private static void oneLine(Run r, String contains) {
        assertThat(r.exit()).as("stderr: %s", r.err()).isEqualTo(Semel.EXIT_FAILURE);
        assertThat(r.err()).startsWith("semel: error: ").contains(contains);
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    private String address() {
        return "localhost:" + broker.port();
    }

    private Run client(String stdin, String user, String ca, String... args) {
        String[] all = Stream.concat(Stream.of(args), Stream.of("--broker", address(), "--timeout", "20s", "--tls-ca",
                ca, "--user", user, "--password-file", demo.resolve(user + ".pass").toString())).toArray(String[]::new);
        return semel(stdin, all);
    }

    private static Run semel(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Semel.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** The doc's lines that start with "keytool ", split into words ("..." kept together). */
    private static List<List<String>> keytoolLines() throws IOException {
        List<List<String>> out = new ArrayList<>();
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("keytool ")) {
                out.add(words(line));
            }
        }
        return out;
    }

    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (w.length() > 0) {
                    words.add(w.toString());
                    w.setLength(0);
                }
            } else {
                w.append(c);
            }
        }
        if (w.length() > 0) {
            words.add(w.toString());
        }
        return words;
    }

    private static void run(Path dir, List<String> words) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(words);
        cmd.set(0, Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add(1, "-J-XX:TieredStopAtLevel=1"); // a short-lived JVM: start fast; the doc's arguments follow as written
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", words, output).isZero();
    }
}
